import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport
@testable import Registry

/// Push and pull against a real registry (distribution 2.8.2), one per test.
@Suite struct RegistryIntegrationTests {
    private let logger = Logger(label: "test")

    private func client(_ registry: TestRegistry, host: String? = nil, password: String? = nil, tune: (inout RegistryClient.Options) -> Void = { _ in }) throws -> RegistryClient {
        var options = RegistryClient.Options()
        options.retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 0.2)
        tune(&options)
        let credentials = registry.user.isEmpty ? nil : Credentials(username: registry.user, password: password ?? registry.password)
        return try RegistryClient(registry: host ?? registry.host, credentials: credentials, options: options, logger: logger)
    }

    @Test func pushAndPullRoundTripWithBasicAuth() throws {
        let registry = try TestRegistry(.basic)
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let reference = try ModelReference(parsing: "\(registry.host)/project/model:v1")
        let store = try client(registry)
        let digest = try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger)
        // Again: every blob is there already, the manifest is the same.
        #expect(try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger) == digest)

        let fetched = try store.fetchManifest(reference)
        #expect(fetched.digest == digest && fetched.mediaType == MediaType.ociManifest)
        let announced = try store.manifestDescriptor(reference)
        #expect(announced == Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(fetched.data.count)))
        #expect(try store.manifestDescriptor(ModelReference(parsing: "\(registry.host)/project/model:absent")) == nil)
        let out = scratch.url.appendingPathComponent("pulled")
        #expect(try ModelTransfer.pull(reference, from: try client(registry), into: out, logger: logger) == digest)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
        let ormbfile = try ModelPackageFolder(path: out.path).readOrmbfile()
        #expect(ormbfile.formatName == "ONNX" && ormbfile.string("author") == "tester")
        #expect(!FileManager.default.fileExists(atPath: ModelTransfer.downloadsFolder(for: out).path))
        // By digest too.
        let pinned = try ModelReference(parsing: "\(registry.host)/project/model@\(digest)")
        #expect(try ModelTransfer.pull(pinned, from: try client(registry), into: scratch.url.appendingPathComponent("pinned"), logger: logger) == digest)
    }

    @Test func chunkedUploadsWithBearerTokens() throws {
        let registry = try TestRegistry(.token)
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch, size: 700_000)
        let reference = try ModelReference(parsing: "\(registry.host)/project/chunked:v1")
        let store = try client(registry) {
            $0.chunkedUploadThreshold = 100_000
            $0.chunkSize = 256 * 1024
        }
        let digest = try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger)
        let out = scratch.url.appendingPathComponent("pulled")
        #expect(try ModelTransfer.pull(reference, from: try client(registry), into: out, logger: logger) == digest)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
    }

    @Test func refusedCredentialsAndMissingTags() throws {
        for mode in [TestRegistry.Mode.basic, .token] {
            let registry = try TestRegistry(mode)
            let reference = try ModelReference(parsing: "\(registry.host)/project/model:v1")
            let scratch = try TemporaryDirectory()
            let wrong = try #require(throws: KleverError.self) {
                try ModelTransfer.pull(reference, from: try client(registry, password: "wrong"), into: scratch.url.appendingPathComponent("o"), logger: logger)
            }
            #expect(wrong.exitCode == 10000 && wrong.file == reference.description, "\(wrong)")
            #expect(!wrong.description.contains("test-password"))
            let ping = try #require(throws: KleverError.self) { try client(registry, password: "wrong").ping() }
            #expect(ping.exitCode == 10000)
            try client(registry).ping()

            let missing = try #require(throws: KleverError.self) {
                try ModelTransfer.pull(reference, from: try client(registry), into: scratch.url.appendingPathComponent("o"), logger: logger)
            }
            #expect(missing.description == "\(reference): manifest unknown (404)")
            #expect(missing.exitCode == 10001)
        }
    }

    @Test func aCorruptedBlobIsRefusedAndNothingIsLaidOut() throws {
        let registry = try TestRegistry()
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let reference = try ModelReference(parsing: "\(registry.host)/project/model:v1")
        let store = try client(registry)
        try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger)
        let layer = try ModelArtifact.parts(of: store.fetchManifest(reference), reference: "r").layer
        // Same size, other bytes, straight into the registry's storage.
        try TestPackages.bytes(Int(layer.size), seed: 99).write(to: registry.blobFile(hex: layer.digest.hex))

        let out = scratch.url.appendingPathComponent("pulled")
        let error = try #require(throws: KleverError.self) { try ModelTransfer.pull(reference, from: store, into: out, logger: logger) }
        #expect(error.exitCode == 10001 && error.detail.contains("does not match its digest"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let downloads = ModelTransfer.downloadsFolder(for: out)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? []).allSatisfy { !$0.hasSuffix(layer.digest.hex + ".partial") })
    }

    @Test func aCutConnectionIsResumedWithRange() throws {
        let registry = try TestRegistry()
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch, size: 1_500_000)
        let direct = try ModelReference(parsing: "\(registry.host)/project/model:v1")
        try ModelTransfer.push(ModelPackageFolder(path: package.path), to: direct, store: try client(registry), logger: logger)
        let layer = try ModelArtifact.parts(of: client(registry).fetchManifest(direct), reference: "r").layer

        let port = UInt16(registry.host.split(separator: ":").last!)!
        let relay = try TCPRelay(toPort: port, cutting: "/blobs/\(layer.digest)", after: 200_000)
        let relayed = try ModelReference(parsing: "127.0.0.1:\(relay.port)/project/model:v1")
        let out = scratch.url.appendingPathComponent("pulled")
        try ModelTransfer.pull(relayed, from: try client(registry, host: "127.0.0.1:\(relay.port)"), into: out, logger: logger)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
        let blobRequests = relay.requests.filter { $0.contains("/blobs/\(layer.digest)") }
        #expect(blobRequests.count == 2)
        #expect(blobRequests.last?.lowercased().contains("range: bytes=") == true, "\(blobRequests)")
    }

    @Test func anInterruptedPullIsContinuedByTheNextRun() throws {
        let registry = try TestRegistry()
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch, size: 1_500_000)
        let direct = try ModelReference(parsing: "\(registry.host)/project/model:v1")
        try ModelTransfer.push(ModelPackageFolder(path: package.path), to: direct, store: try client(registry), logger: logger)
        let layer = try ModelArtifact.parts(of: client(registry).fetchManifest(direct), reference: "r").layer

        let port = UInt16(registry.host.split(separator: ":").last!)!
        let relay = try TCPRelay(toPort: port, cutting: "/blobs/\(layer.digest)", after: 300_000)
        let relayed = try ModelReference(parsing: "127.0.0.1:\(relay.port)/project/model:v1")
        let out = scratch.url.appendingPathComponent("pulled")
        // A first run that gives up at the first cut leaves its partial file...
        let giveUp = try client(registry, host: "127.0.0.1:\(relay.port)") { $0.retry = RetryPolicy(maxAttempts: 1) }
        let error = try #require(throws: KleverError.self) { try ModelTransfer.pull(relayed, from: giveUp, into: out, logger: logger) }
        #expect(error.exitCode == 10001 && error.detail.contains("connection lost"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let partial = ModelTransfer.downloadsFolder(for: out).appendingPathComponent("sha256-\(layer.digest.hex).partial")
        let kept = try #require(try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int64)
        #expect(kept > 0 && kept < layer.size)
        // ...which the next run continues.
        try ModelTransfer.pull(relayed, from: try client(registry, host: "127.0.0.1:\(relay.port)"), into: out, logger: logger)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
        #expect(relay.requests.last { $0.contains("/blobs/\(layer.digest)") }?.lowercased().contains("range: bytes=\(kept)-") == true)
    }
}
