import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport
@testable import Registry

/// klever and the ORAS Python client (oras 0.2.43) read each other's ormb artifacts, on
/// an open registry, one with Basic auth and one that wants Bearer tokens, as Harbor does.
@Suite struct OrasInteropTests {
    private let logger = Logger(label: "test")

    private func client(_ registry: TestRegistry) throws -> RegistryClient {
        let credentials = registry.user.isEmpty ? nil : Credentials(username: registry.user, password: registry.password)
        return try RegistryClient(registry: registry.host, credentials: credentials, logger: logger)
    }

    @Test(arguments: [TestRegistry.Mode.open, .basic, .token])
    func orasPullsWhatKleverPushes(_ mode: TestRegistry.Mode) throws {
        let registry = try TestRegistry(mode)
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let reference = try ModelReference(parsing: "\(registry.host)/project/model:v1")
        try ModelTransfer.push(ModelPackageFolder(path: package.path), to: reference, store: try client(registry), logger: logger)

        let output = try OrasClient.run(["pull", reference.description, scratch.url.appendingPathComponent("oras").path], registry: registry)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["layers"] as? [String] == ["application/tar+gzip"])
        let expected = try TestPackages.files(under: package).filter { $0.key.hasPrefix("model/") }.mapValues { Digest.of($0).hex }
        #expect(report["files"] as? [String: String] == expected)
    }

    /// Not with tokens: oras 0.2.43 answers the upload's 401 with the pull-scoped token it
    /// already holds, never asking for a push scope.
    @Test(arguments: [TestRegistry.Mode.open, .basic])
    func kleverPullsWhatOrasPushes(_ mode: TestRegistry.Mode) throws {
        let registry = try TestRegistry(mode)
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let config = try scratch.write("config.json", #"{"format":"ONNX","author":"oras","signature":{"inputs":[{"name":"x","size":[1,3]}]}}"#)
        let reference = try ModelReference(parsing: "\(registry.host)/project/from-oras:v1")
        _ = try OrasClient.run(["push", reference.description, package.path, config.path], registry: registry)

        let out = scratch.url.appendingPathComponent("pulled")
        try ModelTransfer.pull(reference, from: try client(registry), into: out, logger: logger)
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
        let ormbfile = try ModelPackageFolder(path: out.path).readOrmbfile()
        #expect(ormbfile.formatName == "ONNX" && ormbfile.author == "oras")
        #expect(try ormbfile.signature()?.inputs.first?.size == [1, 3])
    }
}

/// `build/interop/oras-client.py` in its venv: `KLEVER_PYTHON_ORAS` (set by build/test),
/// else made here with build/lib/venv.sh (cached under ~/.cache/klever/venvs).
enum OrasClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let script = Fixtures.repositoryRoot.appendingPathComponent("build/interop/oras-client.py")

    private static let python: Result<String, Failure> = {
        if let python = ProcessInfo.processInfo.environment["KLEVER_PYTHON_ORAS"] { return .success(python) }
        let root = Fixtures.repositoryRoot.path
        let command = "source '\(root)/build/lib/venv.sh' && venv_for $(requirements_of '\(script.path)')"
        guard let result = try? ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", command]), result.status == 0 else {
            return .failure(Failure(description: "cannot make the oras venv with build/lib/venv.sh"))
        }
        return .success(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }()

    /// Runs the script against `registry`, with its credentials if it has any.
    static func run(_ arguments: [String], registry: TestRegistry) throws -> String {
        var environment: [String: String] = [:]
        if !registry.user.isEmpty {
            environment = ["ORAS_USERNAME": registry.user, "ORAS_PASSWORD": registry.password]
            environment["ORAS_AUTH"] = registry.environment["REGISTRY_TOKEN_REALM"] == nil ? "basic" : "token"
        }
        let result = try ChildProcess.run(URL(fileURLWithPath: try python.get()), [script.path] + arguments, environment: environment)
        guard result.status == 0 else {
            throw Failure(description: "oras-client.py \(arguments.joined(separator: " ")) failed: \(result.stderr.suffix(2000))")
        }
        return result.stdout
    }
}
