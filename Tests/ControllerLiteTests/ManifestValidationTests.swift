import ControllerLite
import Foundation
import Testing
import TestSupport
import Yams

/// What the controller and the composer write passes the real schemas
/// (../shared/tools/validate-manifest: Kubernetes 1.36, Seldon 1.18.2, ModelJob).
@Suite struct ManifestValidationTests {
    private func expectValid(_ yaml: String, strict: Bool = false) throws {
        let result = try SharedTools.run("validate-manifest", (strict ? ["--strict"] : []) + ["-"], stdin: yaml)
        #expect(result.status == 0, "\(result.output)\n\(yaml)")
    }

    @Test func theJobOfAnExtractionAndOfAConversion() throws {
        var conversion = ReconcilerTests.extraction()
        conversion.spec.extraction = nil
        conversion.spec.conversion = .init(mmdnn: .init(from: "MXNetParams", to: "ONNX"))
        conversion.spec.desiredTag = "release/resnet:v1-onnx"
        conversion.spec.env = [EnvVar(name: "INPUTS", value: #"[{"name":"data","size":[1,3,224,224]}]"#)]
        conversion.spec.initContainer = [.object(["name": .string("fetch"), "image": .string("busybox"), "command": .array([.string("true")])])]
        for modelJob in [ReconcilerTests.extraction(), conversion] {
            let job = try JobComposer.job(for: modelJob, task: try WorkerTask(modelJob), settings: ReconcilerTests.settings)
            try expectValid(try YAMLEncoder().encode(job), strict: true)
            try expectValid(try YAMLEncoder().encode(modelJob), strict: true)
        }
    }

    @Test(arguments: ["ONNX", "SavedModel", "TorchScript", "NetDef", "PMML", "SKLearn"])
    func theSeldonDeploymentOfEachServer(format: String) throws {
        let serving = ServingSpec(name: "resnet", namespace: "models", model: "harbor.example.com/release/resnet:v1", format: format,
                                  replicas: 2, gpus: format == "ONNX" ? 1 : nil, cpu: "1", memory: "2Gi", image: nil)
        let deployment = try SeldonComposer.compose(serving, settings: ReconcilerTests.settings)
        // Seldon's operator reads it from the predictor.
        #expect(deployment.spec.predictors.first?.annotations?["seldon.io/no-engine"] == "true")
        let yaml = try YAMLEncoder().encode(deployment)
        try expectValid(yaml, strict: true)
        let pod = try #require(deployment.spec.predictors.first?.componentSpecs.first?.spec)
        #expect(pod.volumes == [Volume(emptyDir: "models-mnt")])
        #expect(yaml.contains("- serve-init"))
        let server = try #require(pod.containers.first)
        #expect(server.env?.first?.name == (format == "ONNX" ? nil : "NVIDIA_VISIBLE_DEVICES"))
        #expect(server.ports?.map(\.name) == (format == "PMML" ? ["http"] : ["http", "grpc"]))
    }

    @Test func aModelNamedAsModelJobsNameItIsPulledFromTheControllersRegistryAsItIsReached() throws {
        var settings = ReconcilerTests.settings
        settings.plainHTTP = true
        let serving = ServingSpec(name: "iris", namespace: "models", model: "release/iris:v1", format: "PMML")
        let deployment = try SeldonComposer.compose(serving, settings: settings)
        try expectValid(try YAMLEncoder().encode(deployment), strict: true)
        let pod = try #require(deployment.spec.predictors.first?.componentSpecs.first?.spec)
        let initContainer = try #require(pod.initContainers?.first)
        #expect(initContainer["command"]?.array?.compactMap(\.string) == ["klever", "serve-init", "harbor.example.com/release/iris:v1", "/mnt/models/iris"])
        let variables = initContainer["env"]?.array?.compactMap { $0["name"]?.string } ?? []
        #expect(variables.contains("KLEVER_PLAIN_HTTP"))
        #expect(!variables.contains("KLEVER_INSECURE"))
        // Openscoring deploys the laid-out model.pmml as the model `model`, and is ready once it has.
        let server = try #require(pod.containers.first)
        #expect(server.args == ["--model-dir", "/mnt/models/iris/1"])
        #expect(server.readinessProbe?.httpGet.path == "/openscoring/model/model")
    }
}
