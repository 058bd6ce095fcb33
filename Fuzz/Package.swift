// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harnesses for klever's parsers, one executable dispatching on the target
/// that `build/fuzz` names in `KLEVER_FUZZ_TARGET`. A package of its own so the
/// sanitizer and coverage flags of its build never reach the main package's builds.
let package = Package(
    name: "klever-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "klever", path: ".."),
        // The version klever pins; named here only to import Logging.
        .package(url: "https://github.com/apple/swift-log", from: "1.0.0"),
    ],
    targets: [
        // libFuzzer's driver entry point (the library itself comes with -sanitize=fuzzer).
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "KleverFuzz",
            dependencies: [
                "CLibFuzzer",
                .product(name: "KleverParsers", package: "klever"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // gold fails with an internal error on the instrumented objects; the
            // toolchain's lld links them.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
    ]
)
