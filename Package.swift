// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "klever",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "klever", targets: ["klever"]),
        // The parsers, for the fuzz harnesses of the package under Fuzz/.
        .library(name: "KleverParsers", targets: ["ModelPackage", "Extractor", "Converter", "Registry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // System libraries, with shims for what C macros hide from Swift.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // libxml2's SAX2 push parser behind a C API Swift can import (see its header).
        .target(name: "CXMLSAX", dependencies: ["CLibXML2"]),

        // The ormb package: ormbfile.yaml, formats, dtypes, signatures, layout, errors.
        .target(name: "ModelPackage", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Minimal .proto files written here and the swift-protobuf code generated from them.
        .target(
            name: "Schemas",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos"]
        ),
        // One reader per model format over shared low-level readers.
        .target(
            name: "Extractor",
            dependencies: [
                "ModelPackage", "Schemas", "CHDF5", "CArchive", "CXMLSAX",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Format conversions, one file each, writing through Schemas.
        .target(
            name: "Converter",
            dependencies: [
                "ModelPackage", "Schemas", "Extractor",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Triton config.pbtxt from a format and a signature.
        .target(name: "TritonConfig", dependencies: ["ModelPackage", "Schemas"]),
        // HTTP/1.1 exchanges over libcurl: the transport of the registry and Kubernetes clients.
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        // OCI distribution client (libcurl), local OCI image layout store, the ormb artifact.
        .target(
            name: "Registry",
            dependencies: [
                "ModelPackage", "CurlHTTP", "CArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The serving init container: pull, lay out for the server, write its config.
        .target(
            name: "ServingInit",
            dependencies: [
                "ModelPackage", "Extractor", "Registry", "TritonConfig",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // ModelJob and serving resources, Job and SeldonDeployment composition, reconcile.
        // The Kubernetes client, the controller loop and its HTTP endpoint (Harbor webhook, metrics).
        .target(
            name: "ControllerLite",
            dependencies: [
                "ModelPackage", "CurlHTTP", "Registry", "Extractor", "Converter",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The one executable: a thin command line over the modules.
        .executableTarget(
            name: "klever",
            dependencies: [
                "ModelPackage", "Extractor", "Converter", "TritonConfig", "ControllerLite", "Registry", "ServingInit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Assertion helpers and fixture access shared by the test targets.
        .target(name: "TestSupport", dependencies: ["ModelPackage"], path: "Tests/TestSupport"),
        .testTarget(name: "ModelPackageTests", dependencies: ["ModelPackage", "TestSupport"]),
        .testTarget(name: "SchemasTests", dependencies: ["Schemas", "TestSupport"]),
        .testTarget(name: "ExtractorTests", dependencies: ["Extractor", "ModelPackage", "Schemas", "TestSupport"]),
        .testTarget(name: "ConverterTests", dependencies: ["Converter", "Extractor", "ModelPackage", "Schemas", "TestSupport"]),
        .testTarget(
            name: "ControllerLiteTests",
            dependencies: [
                "ControllerLite", "ModelPackage", "CurlHTTP", "Registry", "Extractor", "TestSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "TritonConfigTests", dependencies: ["TritonConfig", "Extractor", "ModelPackage", "Schemas", "TestSupport"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "CurlHTTP", "ModelPackage", "CArchive", "TestSupport"]),
        .testTarget(name: "ServingInitTests", dependencies: ["ServingInit", "Registry", "ModelPackage", "TestSupport"]),
        .testTarget(name: "kleverTests", dependencies: ["klever", "ModelPackage", "TestSupport"]),
    ]
)
