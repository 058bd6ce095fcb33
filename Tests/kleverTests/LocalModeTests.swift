import Foundation
import ModelPackage
import Testing
import TestSupport

/// Local mode end to end: `klever modeljob run` and `klever controller --local` run
/// ModelJob files against a local store, with `klever job` as their child process.
@Suite struct LocalModeTests {
    /// A local store holding the upstream ONNX package (`project/onnx:v1`) and the
    /// LeNet Caffe package (`project/lenet:v1`).
    private struct Scene {
        let scratch: TemporaryDirectory
        var store: URL { scratch.url.appendingPathComponent("store") }
        var jobs: URL { store.appendingPathComponent("modeljobs") }

        init() throws {
            scratch = try TemporaryDirectory()
            try push(Fixtures.upstreamRoot.appendingPathComponent("onnx"), as: "project/onnx:v1")
            try push(Fixtures.root.appendingPathComponent("caffe/lenet-input-shape"), as: "project/lenet:v1")
        }

        @discardableResult
        func push(_ package: URL, as reference: String) throws -> String {
            let push = try KleverProcess.run(["push", package.path, reference], environment: ["KLEVER_STORE": store.path, "KLEVER_MODELJOBS": ""])
            #expect(push.status == 0, "\(push.stderr)")
            return push.stdout.trimmingCharacters(in: .newlines)
        }

        func run(_ file: URL) throws -> ChildProcess.Result {
            try KleverProcess.run(["modeljob", "run", file.path, "--store", store.path], environment: ["KLEVER_STORE": ""])
        }

        func ormbfile(_ reference: String) throws -> Ormbfile {
            let folder = scratch.url.appendingPathComponent("pulled-\(UUID().uuidString)")
            let pull = try KleverProcess.run(["pull", reference, folder.path, "--store", store.path])
            #expect(pull.status == 0, "\(pull.stderr)")
            return try ModelPackageFolder(path: folder.path).readOrmbfile()
        }

        func content(_ relativePath: String) throws -> Data { try Data(contentsOf: store.appendingPathComponent(relativePath)) }
    }

    private static func expectValid(_ file: URL) throws {
        let validation = try SharedTools.run("validate-manifest", ["--strict", file.path])
        #expect(validation.status == 0, "\(validation.output)")
    }

    private static func extraction(_ name: String, model: String) -> String {
        "# \(name), run locally\napiVersion: kleveross.io/v1alpha1\nkind: ModelJob\nmetadata:\n  name: \(name)\nspec:\n  model: \(model)\n  extraction:\n    format: ONNX\n"
    }

    @Test func anExtractionRunsOnceAndItsStatusIsWrittenBack() throws {
        let scene = try Scene()
        let file = try scene.scratch.write("extract.yaml", Self.extraction("onnx-extract", model: "project/onnx:v1"))
        let result = try scene.run(file)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "phase: Succeeded\nmessage: model extracted\n")
        #expect(result.stderr.contains("[5/5] push: project/onnx:v1"), "the worker's log is there to follow")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text == Self.extraction("onnx-extract", model: "project/onnx:v1") + "status:\n  phase: \"Succeeded\"\n  message: \"model extracted\"\n")
        try Self.expectValid(file)
        #expect(try scene.ormbfile("project/onnx:v1").signature()?.inputs.map(\.name) == ["X", "Y"])

        // Succeeded: nothing runs again, nothing changes.
        let index = try scene.content("index.json")
        let again = try scene.run(file)
        #expect(again.status == 0 && again.stdout == result.stdout)
        #expect(!again.stderr.contains("[1/5]"))
        #expect(try String(contentsOf: file, encoding: .utf8) == text)
        #expect(try scene.content("index.json") == index)
    }

    @Test func aConversionFromAJSONFile() throws {
        let scene = try Scene()
        let file = try scene.scratch.write("convert.json", #"""
            {"apiVersion": "kleveross.io/v1alpha1", "kind": "ModelJob", "metadata": {"name": "lenet-netdef"},
             "spec": {"model": "project/lenet:v1", "desiredTag": "v1-netdef", "conversion": {"mmdnn": {"from": "CaffeModel", "to": "NetDef"}}}}
            """#)
        let result = try scene.run(file)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "phase: Succeeded\nmessage: model converted\n")
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        #expect(written?["status"] as? [String: String] == ["phase": "Succeeded", "message": "model converted"])
        try Self.expectValid(file)
        #expect(try scene.ormbfile("project/lenet:v1-netdef").format() == .netDef)
    }

    @Test(arguments: [
        ("model: project/onnx:nope\n  extraction:\n    format: ONNX", "failed to pull model"),
        ("model: project/onnx:v1\n  extraction:\n    format: TensorRT", "failed to extract model"),
        ("model: project/onnx:v1\n  conversion:\n    mmdnn: {from: ONNX, to: NetDef}", "a conversion needs spec.desiredTag"),
        ("model: project/onnx:v1\n  extraction:\n    format: ONNX\n  env:\n  - name: INPUTS\n    valueFrom:\n      configMapKeyRef: {name: shapes, key: inputs}",
         "spec.env INPUTS takes its value from the cluster, which local mode has not got"),
    ])
    func aFailedModelJobSaysWhy(spec: String, message: String) throws {
        let scene = try Scene()
        let file = try scene.scratch.write("job.yaml", "apiVersion: kleveross.io/v1alpha1\nkind: ModelJob\nmetadata:\n  name: failing\nspec:\n  \(spec)\n")
        let result = try scene.run(file)
        #expect(result.status == 1)
        #expect(result.stdout == "phase: Failed\nmessage: \(message)\n", "\(result.stderr)")
        try Self.expectValid(file)
        #expect(try scene.run(file).stdout == result.stdout, "a Failed ModelJob is not run again")
    }

    @Test func theControllerRunsNewFilesAndPushedModelsAndNothingTwice() throws {
        let scene = try Scene()
        let arguments = ["controller", "--local", "--store", scene.store.path, "--interval", "0.2"]
        var controller = try Background(arguments, log: scene.scratch.url.appendingPathComponent("controller-1.log"))
        #expect(wait { FileManager.default.fileExists(atPath: scene.jobs.path) }, "the controller creates its folder")

        let conversion = try scene.scratch.write("store/modeljobs/convert.yaml", """
            apiVersion: kleveross.io/v1alpha1
            kind: ModelJob
            metadata:
              name: lenet-netdef
            spec:
              model: project/lenet:v1
              desiredTag: v1-netdef
              conversion:
                mmdnn: {from: CaffeModel, to: NetDef}

            """)
        // Extraction on push: the push itself writes the ModelJob, named by the digest.
        let digest = try scene.push(Fixtures.upstreamRoot.appendingPathComponent("onnx"), as: "project/onnx:v2")
        let extraction = scene.jobs.appendingPathComponent("extract-project-onnx-\(digest.dropFirst("sha256:".count).prefix(16)).yaml")
        #expect(FileManager.default.fileExists(atPath: extraction.path))

        let done = wait(timeout: 120) {
            [conversion, extraction].allSatisfy { (try? String(contentsOf: $0, encoding: .utf8))?.contains("phase: \"Succeeded\"") == true }
        }
        controller.stop()
        #expect(done, "\(controller.log)")
        try Self.expectValid(conversion)
        try Self.expectValid(extraction)
        #expect(try scene.ormbfile("project/onnx:v2").signature()?.layers == ["Add": 1])
        #expect(try scene.ormbfile("project/lenet:v1-netdef").format() == .netDef)

        // A restarted controller finds everything finished: it runs nothing again.
        let before = try [conversion, extraction].map { try Data(contentsOf: $0) } + [scene.content("index.json")]
        controller = try Background(arguments, log: scene.scratch.url.appendingPathComponent("controller-2.log"))
        #expect(wait { controller.log.contains("watching") })
        Thread.sleep(forTimeInterval: 1)  // five looks at the folder
        controller.stop()
        #expect(try [conversion, extraction].map { try Data(contentsOf: $0) } + [scene.content("index.json")] == before)
        #expect(!controller.log.contains("[1/5]"), "\(controller.log)")
    }

    /// Polls a condition until it holds or the time is up.
    private func wait(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return true
    }
}

/// klever running in the background, its output in a log file, until stopped.
private struct Background {
    let process = Process()
    let logFile: URL

    init(_ arguments: [String], log: URL) throws {
        logFile = log
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = KleverProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["KLEVER_STORE": "", "KLEVER_MODELJOBS": ""]) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Kills it and waits for the end. Not with SIGTERM: a child started from a test's
    /// thread inherits that thread's signal mask, which blocks it.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
