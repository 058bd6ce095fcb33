import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport
@testable import Registry

/// The local OCI image layout store: one folder, many models.
@Suite struct LayoutStoreTests {
    private let logger = Logger(label: "test")

    @Test func pushAndPullRoundTrip() throws {
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let store = LayoutStore(root: scratch.url.appendingPathComponent("store"))
        let reference = try ModelReference(parsing: "project/model:v1")
        let digest = try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger)

        let layout = try JSONSerialization.jsonObject(with: Data(contentsOf: store.root.appendingPathComponent("oci-layout"))) as? [String: String]
        #expect(layout == ["imageLayoutVersion": "1.0.0"])
        let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: store.root.appendingPathComponent("index.json"))) as? [String: Any])
        let entries = try #require(index["manifests"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries[0]["digest"] as? String == digest.description)
        #expect((entries[0]["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == "project/model:v1")
        #expect(try Digest.of(fileAt: store.blobURL(digest)) == digest)

        let out = scratch.url.appendingPathComponent("out")
        #expect(try ModelTransfer.pull(reference, from: store, into: out, logger: logger) == digest)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
        let ormbfile = try ModelPackageFolder(path: out.path).readOrmbfile()
        #expect(ormbfile.formatName == "ONNX" && ormbfile.author == "tester")
        // Pulling from the store leaves no download folder behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["out", "pkg", "store"])
    }

    @Test func oneStoreHoldsManyModelsAndARepushReplacesTheTag() throws {
        let scratch = try TemporaryDirectory()
        let store = LayoutStore(root: scratch.url.appendingPathComponent("store"))
        let first = try TestPackages.make(in: scratch, name: "a", seed: 1)
        let second = try TestPackages.make(in: scratch, name: "b", seed: 2)
        let v1 = try ModelReference(parsing: "p/m:v1")
        let d1 = try ModelTransfer.push(ModelPackageFolder(path: first.path), to: v1, store: store, logger: logger)
        let d2 = try ModelTransfer.push(ModelPackageFolder(path: second.path), to: try ModelReference(parsing: "p/other:v1"), store: store, logger: logger)
        // Pushing the same package twice gives the same manifest.
        #expect(try ModelTransfer.push(ModelPackageFolder(path: first.path), to: v1, store: store, logger: logger) == d1)
        let d3 = try ModelTransfer.push(ModelPackageFolder(path: second.path), to: v1, store: store, logger: logger)
        #expect(d3 == d2)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: store.root.appendingPathComponent("index.json"))) as? [String: Any]
        let names = (index?["manifests"] as? [[String: Any]] ?? []).compactMap { ($0["annotations"] as? [String: String])?[LayoutStore.refNameAnnotation] }
        #expect(names.sorted() == ["p/m:v1", "p/other:v1"])
        #expect(try store.fetchManifest(v1).digest == d2)
        #expect(try store.fetchManifest(ModelReference(parsing: "p/m@\(d1)")).digest == d1)
    }

    @Test func missingAndCorruptModels() throws {
        let scratch = try TemporaryDirectory()
        let store = LayoutStore(root: scratch.url.appendingPathComponent("store"))
        let reference = try ModelReference(parsing: "p/m:v1")
        #expect(try #require(throws: KleverError.self) { try store.fetchManifest(reference) }.exitCode == 10001)
        let package = try TestPackages.make(in: scratch)
        try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: store, logger: logger)
        #expect(try #require(throws: KleverError.self) { try store.fetchManifest(ModelReference(parsing: "p/m:v2")) }.detail.contains("manifest unknown"))

        // Flip bytes of the layer blob: the pull refuses it and lays out nothing.
        let manifest = try Manifest.decode(store.fetchManifest(reference).data, reference: "r")
        let layer = store.blobURL(manifest.layers[0].digest)
        var bytes = try Data(contentsOf: layer)
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: layer)
        let out = scratch.url.appendingPathComponent("out")
        #expect(try #require(throws: KleverError.self) { try ModelTransfer.pull(reference, from: store, into: out, logger: logger) }.detail.contains("does not match"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func packageProblemsAreReportedBeforeAnythingIsWritten() throws {
        let scratch = try TemporaryDirectory()
        let store = LayoutStore(root: scratch.url.appendingPathComponent("store"))
        try scratch.write("pkg/ormbfile.yaml", "format: ONNX\n")
        try scratch.write("pkg/model/readme.txt", "no model here")
        let error = try #require(throws: KleverError.self) {
            try ModelTransfer.push(ModelPackageFolder(path: scratch.url.appendingPathComponent("pkg").path), to: ModelReference(parsing: "p/m:v1"), store: store, logger: logger)
        }
        #expect(error.exitCode == 10003)
        #expect(!FileManager.default.fileExists(atPath: store.root.path))
    }
}

@Suite struct CredentialStoreTests {
    @Test func loginsAreSavedPrivatelyInDockersFormat() throws {
        let scratch = try TemporaryDirectory()
        let store = CredentialStore.standard(environment: ["HOME": scratch.path])
        #expect(try store.credentials(for: "r.example:5000") == nil)
        try store.save(Credentials(username: "u", password: "p:w"), for: "r.example:5000")
        try store.save(Credentials(username: "v", password: "x"), for: "other")
        #expect(try store.credentials(for: "r.example:5000") == Credentials(username: "u", password: "p:w"))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.url.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: store.url)) as? [String: [String: [String: String]]]
        #expect(json?["auths"]?["r.example:5000"]?["auth"] == Data("u:p:w".utf8).base64EncodedString())
        #expect(json?["auths"]?.keys.sorted() == ["other", "r.example:5000"])
        #expect(!Credentials(username: "u", password: "secret").description.contains("secret"))
    }

    @Test func flagsThenEnvironmentThenSavedLogin() throws {
        let scratch = try TemporaryDirectory()
        let store = CredentialStore.standard(environment: ["HOME": scratch.path])
        try store.save(Credentials(username: "saved", password: "s"), for: "h")
        let environment = ["ORMB_USERNAME": "env", "ORMB_PASSWORD": "e"]
        #expect(try Credentials.resolve(host: "h", username: "flag", password: "f", environment: environment, saved: store)?.username == "flag")
        #expect(try Credentials.resolve(host: "h", username: nil, password: nil, environment: environment, saved: store)?.username == "env")
        #expect(try Credentials.resolve(host: "h", username: nil, password: nil, environment: [:], saved: store)?.username == "saved")
        #expect(try Credentials.resolve(host: "other", username: nil, password: nil, environment: [:], saved: store) == nil)
        #expect(throws: KleverError.self) { try Credentials.resolve(host: "h", username: "only", password: nil, environment: [:], saved: store) }
    }
}
