import Foundation

/// The API server's `Status` object: what it answers instead of an object when a
/// request fails, and what a watch's `ERROR` event carries.
public struct APIStatus: Codable, Hashable, Sendable {
    public var status: String?
    public var message: String?
    /// A CamelCase word: `AlreadyExists`, `Conflict`, `NotFound`, `Expired`, `Gone`.
    public var reason: String?
    public var code: Int?

    public init(code: Int, reason: String, message: String) {
        self.status = "Failure"
        self.code = code
        self.reason = reason
        self.message = message
    }
}

/// A Kubernetes API request that failed: the server's answer, or why there was none.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        /// The server answered with this HTTP status.
        case status(Int, APIStatus?)
        /// No answer: the connection failed or was cut.
        case connection(String)
        /// An answer that is not what the API promises, or a request that could not be made.
        case invalid(String)
    }

    private let kind: Kind
    /// What was asked: `create jobs.batch models/resnet`.
    public let operation: String

    private init(_ kind: Kind, operation: String) {
        self.kind = kind
        self.operation = operation
    }

    static func status(_ code: Int, _ status: APIStatus?, operation: String) -> KubernetesError {
        KubernetesError(.status(code, status), operation: operation)
    }

    static func connection(_ message: String, operation: String) -> KubernetesError {
        KubernetesError(.connection(message), operation: operation)
    }

    static func invalid(_ message: String, operation: String) -> KubernetesError {
        KubernetesError(.invalid(message), operation: operation)
    }

    /// The HTTP status of the server's answer, if there was one.
    public var statusCode: Int? {
        if case .status(let code, _) = kind { return code }
        return nil
    }

    /// The `reason` of the server's Status.
    public var reason: String? {
        if case .status(_, let status) = kind { return status?.reason }
        return nil
    }

    /// A create found the name taken.
    public var isAlreadyExists: Bool { statusCode == 409 && reason == "AlreadyExists" }
    /// An update carried a stale resourceVersion: read again and retry.
    public var isConflict: Bool { statusCode == 409 && !isAlreadyExists }
    public var isNotFound: Bool { statusCode == 404 }
    /// The resourceVersion asked for is no longer in the server's history: list again.
    public var isGone: Bool { statusCode == 410 }

    /// Worth trying again later: no answer, or an overloaded or failing server.
    public var isTransient: Bool {
        switch kind {
        case .connection: true
        case .status(let code, _): code == 429 || code >= 500
        case .invalid: false
        }
    }

    public var description: String {
        switch kind {
        case .status(let code, let status):
            "\(operation): \(status?.message ?? HTTPStatusText.phrase(code)) (\(code)\(status?.reason.map { " \($0)" } ?? ""))"
        case .connection(let message): "\(operation): cannot reach the API server: \(message)"
        case .invalid(let message): "\(operation): \(message)"
        }
    }
}

/// Words for an HTTP status when the server sent no Status object.
enum HTTPStatusText {
    static func phrase(_ code: Int) -> String {
        switch code {
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not found"
        case 409: "conflict"
        case 410: "gone"
        case 422: "invalid"
        case 429: "too many requests"
        default: code >= 500 ? "server error" : "unexpected answer"
        }
    }
}
