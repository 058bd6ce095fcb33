import Foundation
import ModelPackage
import Testing
import TestSupport

/// `klever login`, `push` and `pull` as a user (or a Job) runs them, against a real
/// registry and a local store.
@Suite struct RegistryCommandTests {
    /// A small package copied from the upstream fixtures.
    private func package(in scratch: TemporaryDirectory) throws -> URL {
        try scratch.copy(Fixtures.upstreamRoot.appendingPathComponent("onnx"), as: "pkg")
    }

    private func files(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! where !url.hasDirectoryPath {
            files[url.lastPathComponent] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func loginPushPullWithTheSavedLogin() throws {
        let registry = try TestRegistry(.basic)
        let scratch = try TemporaryDirectory()
        let home = ["HOME": scratch.path, "ORMB_USERNAME": "", "ORMB_PASSWORD": ""]
        let pkg = try package(in: scratch)

        let refused = try KleverProcess.run(["login", registry.host, "-u", registry.user, "-p", "wrong"], environment: home)
        #expect(refused.status == KleverProcess.observed(10000))
        #expect(refused.errorLines == ["error: \(registry.host): credentials refused (401)"])
        #expect(!refused.stderr.contains("wrong"))

        let login = try KleverProcess.run(["login", registry.host, "-u", registry.user, "-p", registry.password], environment: home)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(!login.stderr.contains(registry.password) && login.stdout.isEmpty)
        let config = scratch.url.appendingPathComponent(".klever/config.json")
        #expect(try FileManager.default.attributesOfItem(atPath: config.path)[.posixPermissions] as? Int == 0o600)

        let reference = "\(registry.host)/project/onnx:v1"
        let push = try KleverProcess.run(["push", pkg.path, reference], environment: home)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.hasPrefix("sha256:") && push.stdout.count == 72)

        let out = scratch.url.appendingPathComponent("out")
        let pull = try KleverProcess.run(["pull", reference, out.path], environment: home)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout == push.stdout)
        #expect(try files(out.appendingPathComponent("model")) == files(pkg.appendingPathComponent("model")))
        #expect(try ModelPackageFolder(path: out.path).readOrmbfile().formatName == "ONNX")

        // Into a folder that is not empty: the unpack stage's code, nothing touched.
        let again = try KleverProcess.run(["pull", reference, out.path], environment: home)
        #expect(again.status == KleverProcess.observed(10002))
        #expect(again.errorLines == ["error: \(out.path): exists and is not empty"])
    }

    @Test func credentialsFromTheEnvironmentAndTheirFailures() throws {
        let registry = try TestRegistry(.basic)
        let scratch = try TemporaryDirectory()
        let pkg = try package(in: scratch)
        let reference = "\(registry.host)/project/onnx:v1"
        let good = ["HOME": scratch.path, "ORMB_USERNAME": registry.user, "ORMB_PASSWORD": registry.password]
        #expect(try KleverProcess.run(["push", pkg.path, reference], environment: good).status == 0)

        let wrong = try KleverProcess.run(["pull", reference, scratch.url.appendingPathComponent("o").path], environment: good.merging(["ORMB_PASSWORD": "nope"]) { $1 })
        #expect(wrong.status == KleverProcess.observed(10000))
        #expect(wrong.errorLines == ["error: \(reference): credentials refused (401)"])

        let none = try KleverProcess.run(["pull", reference, scratch.url.appendingPathComponent("o").path], environment: ["HOME": scratch.path, "ORMB_USERNAME": "", "ORMB_PASSWORD": ""])
        #expect(none.status == KleverProcess.observed(10000))

        let missing = try KleverProcess.run(["pull", "\(registry.host)/project/onnx:nope", scratch.url.appendingPathComponent("o").path], environment: good)
        #expect(missing.status == KleverProcess.observed(10001))
        #expect(missing.errorLines == ["error: \(registry.host)/project/onnx:nope: manifest unknown (404)"])
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("o").path))
    }

    @Test func theLocalStore() throws {
        let scratch = try TemporaryDirectory()
        let pkg = try package(in: scratch)
        let store = scratch.url.appendingPathComponent("store").path
        let push = try KleverProcess.run(["push", pkg.path, "project/onnx:v1"], environment: ["KLEVER_STORE": store])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(FileManager.default.fileExists(atPath: store + "/oci-layout"))
        let out = scratch.url.appendingPathComponent("out")
        let pull = try KleverProcess.run(["pull", "project/onnx:v1", out.path, "--store", store], environment: ["KLEVER_STORE": ""])
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try files(out.appendingPathComponent("model")) == files(pkg.appendingPathComponent("model")))

        let noStore = try KleverProcess.run(["pull", "project/onnx:v1", out.path], environment: ["KLEVER_STORE": ""])
        #expect(noStore.status == 64)
        #expect(noStore.errorLines.first?.contains("--store DIR or set KLEVER_STORE") == true)
        let badReference = try KleverProcess.run(["push", pkg.path, "Project/onnx"], environment: ["KLEVER_STORE": store])
        #expect(badReference.status == 64)
    }
}
