import Foundation
import ModelPackage
import Testing
import TestSupport

/// `klever serve-init` as the init container runs it: pulled from a real registry or
/// the local store, laid out for Triton / MLServer / OpenScoring, config written, and
/// every config.pbtxt parsing as Triton's ModelConfig.
@Suite struct ServeInitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: String
        /// Files expected under DEST (besides ormbfile.yaml).
        let layout: [String]
        var testDescription: String { fixture }
    }

    static let cases = [
        Case(fixture: "onnx/dynamic-dims", layout: ["1/model.onnx", "config.pbtxt"]),
        Case(fixture: "onnx/external-data", layout: ["1/model.onnx", "config.pbtxt"]),
        Case(fixture: "savedmodel/serving-default", layout: ["1/model.savedmodel/saved_model.pb", "config.pbtxt"]),
        Case(fixture: "graphdef/frozen-convnet", layout: ["1/model.graphdef", "config.pbtxt"]),
        Case(fixture: "netdef/squeezenet-like", layout: ["1/model.netdef", "1/init_model.netdef", "config.pbtxt"]),
        Case(fixture: "torchscript/user-signature", layout: ["1/model.pt", "config.pbtxt"]),
        Case(fixture: "pmml/classifier-mixed", layout: ["1/model.pmml"]),
    ]

    private func push(_ fixture: String, to reference: String, environment: [String: String]) throws {
        let result = try KleverProcess.run(["push", Fixtures.root.appendingPathComponent(fixture).path, reference], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: cases)
    func laysOutEachServableFormatFromALocalStore(_ serving: Case) throws {
        let scratch = try TemporaryDirectory()
        let environment = ["KLEVER_STORE": scratch.path + "/store", "SERVING_NAME": "model", "MODEL_STORE": scratch.path + "/mnt"]
        try push(serving.fixture, to: "project/model:v1", environment: environment)
        let destination = scratch.url.appendingPathComponent("mnt/model")
        let result = try KleverProcess.run(["serve-init", "project/model:v1", destination.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        for file in serving.layout + ["ormbfile.yaml"] {
            #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent(file).path), "\(file) missing")
        }
        let config = destination.appendingPathComponent("config.pbtxt")
        if FileManager.default.fileExists(atPath: config.path) {
            let text = try String(contentsOf: config, encoding: .utf8)
            #expect(text.contains("name: \"model\""))
            let parsed = try SharedTools.run("validate-triton-config", ["--quiet", config.path])
            #expect(parsed.status == 0, "\(parsed.output)\n\(text)")
        }
        // Nothing of the work is left beside the destination.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/mnt") == ["model"])
    }

    @Test func fromARegistryWithAuthAndAgainAfterARestart() throws {
        let registry = try TestRegistry(.basic)
        let scratch = try TemporaryDirectory()
        let credentials = ["ORMB_USERNAME": registry.user, "ORMB_PASSWORD": registry.password]
        let reference = "\(registry.host)/release/resnet:v1"
        try push("onnx/multi-io", to: reference, environment: credentials)
        let destination = scratch.url.appendingPathComponent("mnt/resnet")
        let environment = credentials.merging(["SERVING_NAME": "resnet"]) { $1 }

        let first = try KleverProcess.run(["serve-init", reference, destination.path], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let config = try String(contentsOf: destination.appendingPathComponent("config.pbtxt"), encoding: .utf8)
        #expect(config.contains("platform: \"onnxruntime_onnx\""))
        // The init container restarts: the complete layout is reused, byte for byte.
        let second = try KleverProcess.run(["serve-init", reference, destination.path], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try String(contentsOf: destination.appendingPathComponent("config.pbtxt"), encoding: .utf8) == config)
        #expect(second.stderr.contains("already holds"))
    }

    @Test func failuresLeaveNothingHalfLaid() throws {
        let registry = try TestRegistry(.basic)
        let scratch = try TemporaryDirectory()
        let destination = scratch.url.appendingPathComponent("mnt/model")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)

        let refused = try KleverProcess.run(
            ["serve-init", "\(registry.host)/release/m:v1", destination.path],
            environment: ["ORMB_USERNAME": registry.user, "ORMB_PASSWORD": "wrong"])
        #expect(refused.status == KleverProcess.observed(10000))
        #expect(refused.errorLines.count == 1)

        let missing = try KleverProcess.run(
            ["serve-init", "\(registry.host)/release/m:nope", destination.path],
            environment: ["ORMB_USERNAME": registry.user, "ORMB_PASSWORD": registry.password])
        #expect(missing.status == KleverProcess.observed(10001))
        #expect(missing.errorLines.first?.contains("manifest unknown (404)") == true)

        // A model no server serves: pulled, then refused, nothing laid out.
        let credentials = ["ORMB_USERNAME": registry.user, "ORMB_PASSWORD": registry.password]
        try push("caffe/lenet-input-shape", to: "\(registry.host)/release/caffe:v1", environment: credentials)
        let unservable = try KleverProcess.run(["serve-init", "\(registry.host)/release/caffe:v1", destination.path], environment: credentials)
        #expect(unservable.status == KleverProcess.observed(10003))
        #expect(unservable.errorLines.first?.contains("CaffeModel models are not served; convert them first") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.deletingLastPathComponent().path).isEmpty)
    }

    @Test func mlServerSettingsAndTheTensorsFromTheEnvironment() throws {
        let scratch = try TemporaryDirectory()
        let package = scratch.url.appendingPathComponent("pkg")
        try scratch.write("pkg/ormbfile.yaml", "format: SKLearn\nversion: v2.1\n")
        try scratch.write("pkg/model/classifier.joblib", Data([0x80, 0x04]))
        let environment = ["KLEVER_STORE": scratch.path + "/store"]
        let pushed = try KleverProcess.run(["push", package.path, "team/iris:v2"], environment: environment)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let destination = scratch.url.appendingPathComponent("mnt/iris")
        let result = try KleverProcess.run(["serve-init", "team/iris:v2", destination.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: destination.appendingPathComponent("model-settings.json"))) as? [String: Any]
        #expect(settings?["name"] as? String == "iris")
        #expect(settings?["implementation"] as? String == "mlserver.models.SKLearnModel")
        #expect(settings?["version"] as? String == "v2.1")
        #expect((settings?["parameters"] as? [String: Any])?["uri"] as? String == "./1/model.joblib")
        #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent("1/model.joblib").path))
    }

    @Test func aTensorRTPlanServedWithTheTensorsOfTheVariables() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/ormbfile.yaml", "format: TensorRT\n")
        try scratch.write("pkg/model/resnet.engine", Data(repeating: 7, count: 64))
        let environment = [
            "KLEVER_STORE": scratch.path + "/store", "USING_ORMBFILE": "false", "SERVING_NAME": "trt",
            "INPUTS": #"[{"name": "input__0", "size": [-1, 3, 224, 224], "dtype": "float32"}]"#,
            "OUTPUTS": #"[{"name": "output__0", "size": [-1, 1000], "dType": "float32"}]"#,
        ]
        #expect(try KleverProcess.run(["push", scratch.path + "/pkg", "team/trt:v1"], environment: environment).status == 0)
        let destination = scratch.url.appendingPathComponent("mnt/trt")
        let result = try KleverProcess.run(["serve-init", "team/trt:v1", destination.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try String(contentsOf: destination.appendingPathComponent("config.pbtxt"), encoding: .utf8)
        #expect(config.contains("platform: \"tensorrt_plan\"") && config.contains("max_batch_size: 4") && config.contains("dims: [3, 224, 224]"))
        #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent("1/model.plan").path))
        #expect(try SharedTools.run("validate-triton-config", ["--quiet", destination.appendingPathComponent("config.pbtxt").path]).status == 0)
    }
}
