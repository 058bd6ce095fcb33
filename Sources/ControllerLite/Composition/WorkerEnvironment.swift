import ModelPackage
import Registry

/// How the controller runs workers: image, registry, credentials, resources.
public struct WorkerSettings: Hashable, Sendable {
    /// The klever image the Job runs (`klever job`).
    public var image: String
    /// The registry holding models (`SERVER_ORMB_DOMAIN`); empty in local mode.
    public var registryDomain: String
    /// A Secret with `username` and `password` keys, referenced by the Job's env.
    public var credentialsSecret: String?
    /// Plain credentials (local mode, or a cluster without a Secret).
    public var username: String?
    public var password: String?
    /// Resource limits of the job container (`MODELJOB_TASK_CPU`, `MODELJOB_TASK_MEM`).
    public var cpu: String?
    public var memory: String?
    /// How workers reach the registry (`KLEVER_PLAIN_HTTP`, `KLEVER_INSECURE`), passed on
    /// to every Job and serving init container: plain HTTP, TLS without checks.
    public var plainHTTP = false
    public var insecure = false

    public init(image: String, registryDomain: String) {
        self.image = image
        self.registryDomain = registryDomain
    }

    /// Settings from the controller's own environment.
    public static func fromEnvironment(_ environment: [String: String]) -> WorkerSettings {
        var settings = WorkerSettings(
            image: environment["KLEVER_IMAGE"] ?? "ghcr.io/kleveross/klever:latest",
            registryDomain: environment["SERVER_ORMB_DOMAIN"] ?? "")
        settings.credentialsSecret = environment["SERVER_ORMB_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        settings.username = environment["SERVER_ORMB_USERNAME"]
        settings.password = environment["SERVER_ORMB_PASSWORD"]
        settings.cpu = environment["MODELJOB_TASK_CPU"].flatMap { $0.isEmpty ? nil : $0 }
        settings.memory = environment["MODELJOB_TASK_MEM"].flatMap { $0.isEmpty ? nil : $0 }
        let connection = RegistryClient.Options(environment: environment)
        (settings.plainHTTP, settings.insecure) = (connection.plainHTTP, connection.insecure)
        return settings
    }

    /// The credentials as `klever pull` and `klever serve-init` read them
    /// (`ORMB_USERNAME`, `ORMB_PASSWORD`): from the Secret, else as given; none unset.
    var credentialVariables: [EnvVar] {
        if let secret = credentialsSecret {
            return [EnvVar(name: "ORMB_USERNAME", secret: secret, key: "username"), EnvVar(name: "ORMB_PASSWORD", secret: secret, key: "password")]
        }
        guard let username else { return [] }
        return [EnvVar(name: "ORMB_USERNAME", value: username), EnvVar(name: "ORMB_PASSWORD", value: password ?? "")]
    }

    /// The variables that pass ``plainHTTP`` and ``insecure`` on: none for the defaults.
    var connectionVariables: [EnvVar] {
        (plainHTTP ? [EnvVar(name: RegistryClient.Options.plainHTTPVariable, value: "true")] : [])
            + (insecure ? [EnvVar(name: RegistryClient.Options.insecureVariable, value: "true")] : [])
    }
}

/// What a ModelJob asks a worker to do, checked.
public struct WorkerTask: Hashable, Sendable {
    public let sourceFormat: Format
    public let format: Format
    /// nil for an extraction (the worker pushes back to the source tag).
    public let destinationTag: String?

    public var isConversion: Bool { destinationTag != nil }

    /// Reads the task of a ModelJob; a ModelJob that asks for nothing sensible is an
    /// error whose message becomes its Failed status.
    public init(_ job: ModelJob) throws(ModelJobError) {
        if let extraction = job.spec.extraction {
            guard let format = Format(name: extraction.format) else { throw .invalid("unknown format '\(extraction.format)'") }
            sourceFormat = format
            self.format = format
            destinationTag = nil
        } else if let mmdnn = job.spec.conversion?.mmdnn {
            guard let from = Format(name: mmdnn.from) else { throw .invalid("unknown format '\(mmdnn.from)'") }
            guard let to = Format(name: mmdnn.to) else { throw .invalid("unknown format '\(mmdnn.to)'") }
            guard let tag = job.spec.desiredTag, !tag.isEmpty else { throw .invalid("a conversion needs spec.desiredTag") }
            sourceFormat = from
            format = to
            destinationTag = tag
        } else {
            throw .invalid("spec has neither extraction nor conversion")
        }
        guard !job.spec.model.isEmpty else { throw .invalid("spec.model is empty") }
        // The Job takes the name, and its pods carry it as a label value.
        guard (job.metadata.name ?? "").count <= 63 else { throw .invalid("the name is longer than 63 characters, too long for its Job") }
    }
}

/// Why a ModelJob cannot run.
public enum ModelJobError: Error, Hashable, Sendable {
    case invalid(String)

    public var message: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

/// The variables a worker (`klever job`) reads: the Job pod's env, and the child
/// process's environment in local mode.
public enum WorkerEnvironment {
    public static let sourcePath = "/models/input"
    public static let destinationPath = "/models/output"
    /// `DESTINATION_MODEL_TAG` of an extraction.
    public static let noDestination = "empty"

    public static func variables(for job: ModelJob, task: WorkerTask, settings: WorkerSettings,
                                 sourcePath: String = sourcePath, destinationPath: String = destinationPath) -> [EnvVar] {
        var variables = [
            EnvVar(name: "SOURCE_FORMAT", value: task.sourceFormat.rawValue),
            EnvVar(name: "FORMAT", value: task.format.rawValue),
            EnvVar(name: "FRAMEWORK", value: task.format.framework?.rawValue ?? ""),
            EnvVar(name: "EXTRACTOR", value: task.format.rawValue.lowercased()),
            EnvVar(name: "SOURCE_MODEL_TAG", value: job.spec.model),
            EnvVar(name: "DESTINATION_MODEL_TAG", value: task.destinationTag ?? noDestination),
            EnvVar(name: "SOURCE_MODEL_PATH", value: sourcePath),
            EnvVar(name: "DESTINATION_MODEL_PATH", value: destinationPath),
            EnvVar(name: "SERVER_ORMB_DOMAIN", value: settings.registryDomain),
        ]
        if let secret = settings.credentialsSecret {
            variables.append(EnvVar(name: "SERVER_ORMB_USERNAME", secret: secret, key: "username"))
            variables.append(EnvVar(name: "SERVER_ORMB_PASSWORD", secret: secret, key: "password"))
        } else if let username = settings.username {
            variables.append(EnvVar(name: "SERVER_ORMB_USERNAME", value: username))
            variables.append(EnvVar(name: "SERVER_ORMB_PASSWORD", value: settings.password ?? ""))
        }
        // The ModelJob's own variables come last, so they win.
        return variables + settings.connectionVariables + (job.spec.env ?? [])
    }
}
