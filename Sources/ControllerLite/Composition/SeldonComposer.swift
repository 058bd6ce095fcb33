import Foundation
import ModelPackage

/// What to serve: the input of `klever compose-serving`.
public struct ServingSpec: Codable, Hashable, Sendable {
    public var name: String
    public var namespace: String?
    /// The model reference the init container pulls.
    public var model: String
    /// The model's format; it picks the server (Triton, OpenScoring, MLServer).
    public var format: String
    public var replicas: Int?
    /// GPUs per replica; none by default.
    public var gpus: Int?
    public var cpu: String?
    public var memory: String?
    /// Overrides the server image of the format.
    public var image: String?

    public init(name: String, namespace: String?, model: String, format: String, replicas: Int? = nil,
                gpus: Int? = nil, cpu: String? = nil, memory: String? = nil, image: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.model = model
        self.format = format
        self.replicas = replicas
        self.gpus = gpus
        self.cpu = cpu
        self.memory = memory
        self.image = image
    }
}

/// Composes the SeldonDeployment that serves a model: the server by format (no Seldon
/// engine in front), an init container running `klever serve-init` into an emptyDir
/// the server reads, health probes on the v2 protocol.
public enum SeldonComposer {
    public static let modelsVolume = "models-mnt"
    public static let modelsPath = "/mnt/models"

    /// The server for a format.
    public struct Server: Hashable, Sendable {
        public var image: String
        public var args: [String]
        public var httpPort: Int
        /// nil: the server speaks only HTTP.
        public var grpcPort: Int?
        /// v2 protocol health endpoints, or the server's own readiness path.
        public var readinessPath: String
        public var livenessPath: String
    }

    public static func server(for format: Format, servingName: String) throws(ModelJobError) -> Server {
        switch format {
        case .onnx, .savedModel, .graphDef, .torchScript, .tensorRT, .netDef:
            // The original's pinned Triton; the last that serves Caffe2 NetDef.
            return Server(
                image: "nvcr.io/nvidia/tritonserver:20.09-py3",
                args: ["tritonserver", "--model-repository=\(modelsPath)", "--strict-model-config=true"],
                httpPort: 8000, grpcPort: 8001, readinessPath: "/v2/health/ready", livenessPath: "/v2/health/live")
        case .sklearn, .xgboost, .mllib:
            return Server(
                image: "seldonio/mlserver:1.3.5", args: ["mlserver", "start", "\(modelsPath)/\(servingName)"],
                httpPort: 8080, grpcPort: 8081, readinessPath: "/v2/health/ready", livenessPath: "/v2/health/live")
        case .pmml:
            // Openscoring deploys the PMML files of --model-dir, each under its file name
            // without the extension: serve-init's model.pmml is the model `model`, whose
            // summary answers only once it is deployed.
            return Server(
                image: "openscoring/openscoring:2.1.1", args: ["--model-dir", "\(modelsPath)/\(servingName)/1"],
                httpPort: 8080, grpcPort: nil, readinessPath: "/openscoring/model/model", livenessPath: "/openscoring")
        default:
            throw .invalid("no server for \(format.rawValue) models")
        }
    }

    public static func compose(_ serving: ServingSpec, settings: WorkerSettings) throws -> SeldonDeployment {
        guard let format = Format(name: serving.format) else { throw ModelJobError.invalid("unknown format '\(serving.format)'") }
        var server = try server(for: format, servingName: serving.name)
        if let image = serving.image { server.image = image }

        var container = Container(name: serving.name, image: server.image)
        container.args = server.args.isEmpty ? nil : server.args
        container.ports = [.init(name: "http", containerPort: server.httpPort, protocol: "TCP")]
        if let grpcPort = server.grpcPort { container.ports?.append(.init(name: "grpc", containerPort: grpcPort, protocol: "TCP")) }
        container.readinessProbe = .init(httpGet: .init(path: server.readinessPath, port: server.httpPort), initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 3)
        container.livenessProbe = .init(httpGet: .init(path: server.livenessPath, port: server.httpPort), initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3)
        container.volumeMounts = [.init(name: modelsVolume, mountPath: modelsPath)]
        var limits: [String: String] = [:]
        if let cpu = serving.cpu { limits["cpu"] = cpu }
        if let memory = serving.memory { limits["memory"] = memory }
        if let gpus = serving.gpus, gpus > 0 {
            limits["nvidia.com/gpu"] = String(gpus)
        } else {
            // Without this, an image built on CUDA takes every GPU of the node.
            container.env = [EnvVar(name: "NVIDIA_VISIBLE_DEVICES", value: "none")]
        }
        if !limits.isEmpty { container.resources = .init(limits: limits, requests: nil) }

        var pod = PodSpec(containers: [container])
        pod.initContainers = [try JSONValue(encoding: try initContainer(serving, format: format, settings: settings))]
        pod.volumes = [Volume(emptyDir: modelsVolume)]

        let metadata = ObjectMeta(name: serving.name, namespace: serving.namespace, labels: ["kleveross.io/serving": serving.name])
        let graph = SeldonDeployment.Graph(
            name: serving.name, type: "MODEL",
            endpoint: .init(type: "REST", httpPort: server.httpPort, grpcPort: server.grpcPort), children: [])
        // The server answers the clients itself: no Seldon executor in front of it.
        let predictor = SeldonDeployment.Predictor(
            name: "default", annotations: ["seldon.io/no-engine": "true"], replicas: serving.replicas ?? 1, graph: graph,
            componentSpecs: [.init(spec: pod)])
        return SeldonDeployment(metadata: metadata, spec: .init(name: serving.name, protocol: "v2", predictors: [predictor]))
    }

    /// `klever serve-init MODEL DEST`: pulls the model into the shared volume, laid out
    /// for the server, with its config. A model named as ModelJobs name them
    /// (`project/name:tag`) is in the controller's registry.
    static func initContainer(_ serving: ServingSpec, format: Format, settings: WorkerSettings) throws -> Container {
        let domain = settings.registryDomain.isEmpty ? nil : settings.registryDomain
        let model = try WorkerRequest.reference(serving.model, variable: "model", domain: domain)
        var container = Container(name: "model-initializer", image: settings.image)
        container.command = ["klever", "serve-init", model.description, "\(modelsPath)/\(serving.name)"]
        container.env = [
            EnvVar(name: "MODEL_STORE", value: modelsPath), EnvVar(name: "SERVING_NAME", value: serving.name),
            EnvVar(name: "FORMAT", value: format.rawValue), EnvVar(name: "USING_ORMBFILE", value: "true"),
        ] + settings.credentialVariables + settings.connectionVariables
        container.volumeMounts = [.init(name: modelsVolume, mountPath: modelsPath)]
        return container
    }
}
