import Foundation
import ModelPackage
import Testing
import TestSupport

/// `klever job` as a Job's container runs it, against a real registry with Basic auth:
/// what it pushes, its log, and the exit code of each stage as the kubelet sees it.
@Suite struct JobCommandTests {
    private static let onnx = Fixtures.upstreamRoot.appendingPathComponent("onnx")
    private static let lenet = Fixtures.root.appendingPathComponent("caffe/lenet-input-shape")

    /// A registry holding the upstream ONNX package (`project/onnx:v1`) and the LeNet
    /// Caffe package (`project/lenet:v1`), and a scratch folder for the packages.
    private struct Scene {
        let registry: TestRegistry
        let scratch: TemporaryDirectory
        var input: URL { scratch.url.appendingPathComponent("input") }
        var output: URL { scratch.url.appendingPathComponent("output") }
        var login: [String: String] { ["HOME": scratch.path, "ORMB_USERNAME": registry.user, "ORMB_PASSWORD": registry.password] }

        init() throws {
            registry = try TestRegistry(.basic)
            scratch = try TemporaryDirectory()
            for (package, name) in [(JobCommandTests.onnx, "onnx"), (JobCommandTests.lenet, "lenet")] {
                let push = try KleverProcess.run(["push", package.path, "\(registry.host)/project/\(name):v1"], environment: login)
                #expect(push.status == 0, "\(push.stderr)")
            }
        }

        /// The variables the controller gives the Job of a ModelJob (see WorkerEnvironment).
        func variables(model: String, desiredTag: String? = nil, from: String, to: String) -> [String: String] {
            [
                "SOURCE_FORMAT": from, "FORMAT": to, "FRAMEWORK": "", "EXTRACTOR": to.lowercased(),
                "SOURCE_MODEL_TAG": model, "DESTINATION_MODEL_TAG": desiredTag ?? "empty",
                "SOURCE_MODEL_PATH": input.path, "DESTINATION_MODEL_PATH": output.path,
                "SERVER_ORMB_DOMAIN": registry.host, "SERVER_ORMB_USERNAME": registry.user, "SERVER_ORMB_PASSWORD": registry.password,
                "HOME": scratch.path, "KLEVER_STORE": "", "INPUTS": "",
            ]
        }

        func job(_ variables: [String: String]) throws -> ChildProcess.Result {
            try KleverProcess.run(["job"], environment: variables)
        }

        /// Pulls a reference of the registry; returns its package.
        func pull(_ repository: String) throws -> ModelPackageFolder {
            let folder = scratch.url.appendingPathComponent("pulled-\(UUID().uuidString)")
            let pull = try KleverProcess.run(["pull", "\(registry.host)/\(repository)", folder.path], environment: login)
            #expect(pull.status == 0, "\(pull.stderr)")
            return ModelPackageFolder(path: folder.path)
        }
    }

    @Test func anExtractionPushesTheSignatureBackToTheSameTag() throws {
        let scene = try Scene()
        let result = try scene.job(scene.variables(model: "project/onnx:v1", from: "ONNX", to: "ONNX"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sha256:") && result.stdout.count == 72)
        // One line per step, with its time.
        let steps = result.stderr.split(separator: "\n").compactMap { $0.firstMatch(of: /\[(\d)\/5\] (\w+): (.*) \(\d+\.\d\d s\)$/) }
        #expect(steps.map { "\($0.1) \($0.2)" } == ["1 login", "2 pull", "3 export", "4 extract", "5 push"], "\(result.stderr)")
        #expect(steps.first?.3 == "\(scene.registry.host) accepted the credentials")
        #expect(!result.stderr.contains(scene.registry.password))

        let signature = try scene.pull("project/onnx:v1").readOrmbfile().signature()
        #expect(signature?.inputs.map(\.name) == ["X", "Y"] && signature?.outputs.map(\.name) == ["Z"])
        #expect(signature?.layers == ["Add": 1])
    }

    @Test func aConversionPushesToTheDesiredTag() throws {
        let scene = try Scene()
        let result = try scene.job(scene.variables(model: "project/lenet:v1", desiredTag: "v1-netdef", from: "CaffeModel", to: "NetDef"))
        #expect(result.status == 0, "\(result.stderr)")
        let converted = try scene.pull("project/lenet:v1-netdef")
        #expect(try converted.readOrmbfile().format() == .netDef)
        #expect(try converted.modelFiles(for: .netDef).package.path == converted.path)
        #expect(try scene.pull("project/lenet:v1").readOrmbfile().format() == .caffeModel, "the source is left alone")
    }

    @Test func eachStageFailsWithItsExitCode() throws {
        let scene = try Scene()
        let extraction = scene.variables(model: "project/onnx:v1", from: "ONNX", to: "ONNX")
        func expectFailure(_ variables: [String: String], _ code: Int32, _ message: String) throws {
            let result = try scene.job(variables)
            #expect(result.status == KleverProcess.observed(code), "\(result.stderr)")
            #expect(result.errorLines.count == 1 && result.errorLines.first?.contains(message) == true, "\(result.errorLines)")
            #expect(result.stdout.isEmpty)
        }

        try expectFailure(extraction.merging(["SERVER_ORMB_PASSWORD": "wrong"]) { $1 }, 10000, "\(scene.registry.host): credentials refused (401)")
        try expectFailure(extraction.merging(["SOURCE_MODEL_TAG": "project/onnx:nope"]) { $1 }, 10001, "project/onnx:nope: manifest unknown (404)")

        try scene.scratch.write("input/left-over", "x")
        try expectFailure(extraction, 10002, "input: exists and is not empty")
        try FileManager.default.removeItem(at: scene.input)

        let corrupt = try scene.scratch.copy(Self.onnx, as: "corrupt")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: corrupt.appendingPathComponent("model").path)
        try Data("not a protobuf".utf8).write(to: corrupt.appendingPathComponent("model/model.onnx"))
        #expect(try KleverProcess.run(["push", corrupt.path, "\(scene.registry.host)/project/corrupt:v1"], environment: scene.login).status == 0)
        try expectFailure(extraction.merging(["SOURCE_MODEL_TAG": "project/corrupt:v1"]) { $1 }, 10003, "model/model.onnx")
        try FileManager.default.removeItem(at: scene.input)

        let conversion = scene.variables(model: "project/lenet:v1", desiredTag: "v2", from: "CaffeModel", to: "NetDef")
        try scene.scratch.write("output/left-over", "x")
        try expectFailure(conversion, 10004, "output: already exists and is not empty")
        try FileManager.default.removeItem(at: scene.input)
        try FileManager.default.removeItem(at: scene.output)

        // The registry refuses a repository name of more than 255 characters (after retrying its 500s).
        let long = "project/" + String(repeating: "a", count: 250) + ":v1"
        try expectFailure(conversion.merging(["DESTINATION_MODEL_TAG": long]) { $1 }, 10005, "(500)")

        let usage = try scene.job(extraction.merging(["FORMAT": "", "EXTRACTOR": ""]) { $1 })
        #expect(usage.status == 64 && usage.errorLines == ["error: FORMAT: not set (the controller sets it for each Job)"])
    }
}
