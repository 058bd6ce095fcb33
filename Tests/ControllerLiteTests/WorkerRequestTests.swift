import ControllerLite
import Foundation
import ModelPackage
import Registry
import Testing

/// `klever job` reads exactly the variables the controller composes.
@Suite struct WorkerRequestTests {
    /// The variables of a ModelJob's Job pod, as a process environment.
    static func environment(_ modelJob: ModelJob, settings: WorkerSettings) throws -> [String: String] {
        let variables = WorkerEnvironment.variables(for: modelJob, task: try WorkerTask(modelJob), settings: settings)
        return Dictionary(variables.map { ($0.name, $0.value ?? "") }) { $1 }
    }

    private static let harbor: WorkerSettings = {
        var settings = WorkerSettings(image: "klever", registryDomain: "harbor.example.com")
        settings.username = "robot"
        settings.password = "secret"
        return settings
    }()

    private func conversion(desiredTag: String) -> ModelJob {
        ModelJob(
            metadata: ObjectMeta(name: "c"),
            spec: ModelJobSpec(model: "release/resnet:v1", conversion: .init(mmdnn: .init(from: "MXNetParams", to: "ONNX")), desiredTag: desiredTag))
    }

    @Test func anExtractionPushesBackToTheSourceTagInTheRegistry() throws {
        let modelJob = ModelJob(metadata: ObjectMeta(name: "e"), spec: ModelJobSpec(model: "release/resnet:v1", extraction: .init(format: "SavedModel")))
        let request = try WorkerRequest(environment: Self.environment(modelJob, settings: Self.harbor))
        #expect(request.task == .extraction(.savedModel))
        #expect(request.source.description == "harbor.example.com/release/resnet:v1")
        #expect(request.destination == request.source)
        #expect(request.sourcePath == "/models/input" && request.destinationPath == "/models/output")
        #expect(request.credentials == Credentials(username: "robot", password: "secret"))
    }

    @Test(arguments: [
        ("v1-onnx", "harbor.example.com/release/resnet:v1-onnx"),
        ("release/resnet-onnx:v1", "harbor.example.com/release/resnet-onnx:v1"),
        ("other.example.com/release/resnet:v1", "other.example.com/release/resnet:v1"),
    ])
    func aConversionPushesToItsDesiredTag(desiredTag: String, destination: String) throws {
        var environment = try Self.environment(conversion(desiredTag: desiredTag), settings: Self.harbor)
        environment["INPUTS"] = #"[{"name": "data", "size": [1, 3, 224, 224]}]"#
        let request = try WorkerRequest(environment: environment)
        #expect(request.task == .conversion(from: .mxnetParams, to: .onnx, destination: try ModelReference(parsing: destination)))
        #expect(request.inputs == [TensorSpec(name: "data", size: [1, 3, 224, 224])])
    }

    @Test func theLocalStoreWhenThereIsNoRegistry() throws {
        var environment = try Self.environment(conversion(desiredTag: "v2"), settings: WorkerSettings(image: "klever", registryDomain: ""))
        environment["KLEVER_STORE"] = "/var/lib/klever"
        let request = try WorkerRequest(environment: environment)
        #expect(request.source.registry == nil && request.destination.description == "release/resnet:v2")
        #expect(request.storeDirectory == "/var/lib/klever" && request.credentials == nil)
    }

    @Test(arguments: [
        ("SOURCE_MODEL_TAG", nil, "SOURCE_MODEL_TAG: not set (the controller sets it for each Job)"),
        ("SOURCE_MODEL_TAG", "release/resnet@sha256:" + String(repeating: "a", count: 64),
         "SOURCE_MODEL_TAG: an extraction pushes back to the source's tag, so it needs one (name:tag)"),
        ("EXTRACTOR", "keras9", "EXTRACTOR: unknown format 'keras9'"),
        ("SOURCE_MODEL_TAG", "Release/x:v1", "SOURCE_MODEL_TAG: Release/x:v1: not a model reference: the repository must be lowercase path components like project/name"),
        ("INPUTS", "{}", "INPUTS: not a JSON list of tensors"),
    ] as [(String, String?, String)])
    func aWrongVariableIsAUsageError(name: String, value: String?, message: String) throws {
        let modelJob = ModelJob(metadata: ObjectMeta(name: "e"), spec: ModelJobSpec(model: "release/resnet:v1", extraction: .init(format: "ONNX")))
        var environment = try Self.environment(modelJob, settings: Self.harbor)
        environment[name] = value
        let error = try #require(throws: KleverError.self) { try WorkerRequest(environment: environment) }
        #expect(error.exitCode == 64)
        #expect(error.description == message)
    }
}
