import CurlHTTP
import Foundation
import Logging
import ModelPackage
import Registry

/// A typed client of the Kubernetes API over libcurl: get, list, create, update (also of
/// the `status` subresource), merge-patch, delete and watch.
///
/// Requests that get no answer, or a 429 or 5xx, are tried again with bounded exponential
/// backoff; every other failure is a ``KubernetesError`` for the caller to judge (a 409 on
/// an update means: read again).
public final class KubernetesClient: Sendable {
    public struct Options: Sendable {
        public var retry = RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 5)
        /// A request that moves no byte for this long counts as a cut connection.
        public var stallTimeoutSeconds = 30
        /// Answers larger than this are refused (a LIST of many objects is the largest).
        public var responseLimit = 512 << 20
        /// Idle connections kept for reuse.
        public var keptConnections = 8

        public init() {}
    }

    public let config: ClusterConfig
    let options: Options
    let logger: Logger
    private let handles: CurlHandles

    public init(config: ClusterConfig, options: Options = Options(), logger: Logger) {
        self.config = config
        self.options = options
        self.logger = logger
        handles = CurlHandles(options: config.transportOptions(stallTimeoutSeconds: options.stallTimeoutSeconds), keep: options.keptConnections)
    }

    // MARK: - Typed requests

    public func get<Object: KubernetesObject>(_ type: Object.Type, _ key: ObjectKey) async throws -> Object {
        let path = Object.resource.path(namespace: key.namespace, name: key.name)
        return try decode(Object.self, try await send("GET", path, operation: "get \(Object.resource) \(key)"), operation: "get \(key)")
    }

    /// Every object of a kind, in one namespace or (nil) in all, optionally only those
    /// matching a label selector (`app=x,tier`).
    public func list<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String? = nil, labelSelector: String? = nil
    ) async throws -> ObjectList<Object> {
        let operation = "list \(Object.resource)"
        let query = labelSelector.map { [("labelSelector", $0)] } ?? []
        let data = try await send("GET", Object.resource.path(namespace: namespace), query: query, operation: operation)
        do {
            return try ObjectList<Object>.decode(data)
        } catch {
            throw KubernetesError.invalid("the answer is not a list of \(Object.resource.kind): \(error)", operation: operation)
        }
    }

    /// Creates an object in its namespace; a taken name is an error with `isAlreadyExists`.
    public func create<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        let operation = "create \(Object.resource) \(object.key)"
        let path = Object.resource.path(namespace: object.metadata.namespace)
        return try decode(Object.self, try await send("POST", path, body: try encode(object, operation: operation), operation: operation), operation: operation)
    }

    /// Replaces an object; a stale `metadata.resourceVersion` is an error with `isConflict`.
    public func update<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        try await put(object, subresource: nil)
    }

    /// Replaces an object's status through the `status` subresource (the server ignores
    /// everything else); a stale `metadata.resourceVersion` is an error with `isConflict`.
    public func updateStatus<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        try await put(object, subresource: "status")
    }

    /// Applies a JSON merge patch (RFC 7386) to an object or one of its subresources.
    public func patch<Object: KubernetesObject>(
        _ type: Object.Type, _ key: ObjectKey, mergePatch: JSONValue, subresource: String? = nil
    ) async throws -> Object {
        let operation = "patch \(Object.resource) \(key)"
        let path = Object.resource.path(namespace: key.namespace, name: key.name, subresource: subresource)
        let data = try await send(
            "PATCH", path, body: try encode(mergePatch, operation: operation), contentType: "application/merge-patch+json", operation: operation)
        return try decode(Object.self, data, operation: operation)
    }

    /// Deletes an object; its dependents go in the background, as with kubectl.
    public func delete<Object: KubernetesObject>(_ type: Object.Type, _ key: ObjectKey) async throws {
        _ = try await send("DELETE", Object.resource.path(namespace: key.namespace, name: key.name), operation: "delete \(Object.resource) \(key)")
    }

    private func put<Object: KubernetesObject>(_ object: Object, subresource: String?) async throws -> Object {
        let operation = "update \(Object.resource) \(object.key)" + (subresource.map { " \($0)" } ?? "")
        let path = Object.resource.path(namespace: object.metadata.namespace, name: object.metadata.name, subresource: subresource)
        return try decode(Object.self, try await send("PUT", path, body: try encode(object, operation: operation), operation: operation), operation: operation)
    }

    // MARK: - Exchanges

    /// The request for a path and query on the server (whose URL may carry a prefix).
    func request(_ method: String, _ path: String, query: [(String, String)] = [], operation: String) throws(KubernetesError) -> HTTPRequest {
        var text = config.server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        guard let url = URL(string: text) else { throw .invalid("cannot make a URL of \(text)", operation: operation) }
        var request = HTTPRequest(method, url, headers: ["Accept": "application/json"])
        if let authorization = try config.authorization() { request.headers.set("Authorization", authorization) }
        return request
    }

    /// One request with bounded retries of transient failures; returns the body of a 2xx.
    private func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil,
        contentType: String = "application/json", operation: String
    ) async throws -> Data {
        var request = try request(method, path, query: query, operation: operation)
        if let body {
            request.body = .data(body)
            request.headers.set("Content-Type", contentType)
        }
        var failures = 0
        while true {
            let outcome = await attempt(request, operation: operation)
            switch outcome {
            case .success(let data):
                return data
            case .failure(let error):
                failures += 1
                guard error.error.isTransient,
                      let delay = options.retry.delay(afterFailures: failures, retryAfter: error.retryAfter)
                else { throw error.error }
                logger.debug("\(error.error); retrying in \(delay) s")
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    private struct Failure: Error {
        var error: KubernetesError
        var retryAfter: String?
    }

    private func attempt(_ request: HTTPRequest, operation: String) async -> Result<Data, Failure> {
        let handles = handles, limit = options.responseLimit
        let exchanged: (HTTPResponseHead, Data)
        do {
            exchanged = try await Offload.run {
                try handles.with { transport in
                    let sink = BufferSink(limit: limit)
                    let head = try transport.perform(request, sink: sink)
                    return (head, sink.data)
                }
            }
        } catch let error as TransportError {
            return .failure(Failure(error: Self.error(error, operation: operation, limit: limit)))
        } catch {
            return .failure(Failure(error: .invalid(String(describing: error), operation: operation)))
        }
        let (head, data) = exchanged
        guard (200..<300).contains(head.status) else {
            let status = try? JSONDecoder().decode(APIStatus.self, from: data)
            return .failure(Failure(error: .status(head.status, status, operation: operation), retryAfter: head.headers["Retry-After"]))
        }
        return .success(data)
    }

    static func error(_ error: TransportError, operation: String, limit: Int) -> KubernetesError {
        switch error {
        case .connection(let message): .connection(message, operation: operation)
        case .aborted: .invalid("the answer is larger than \(limit) bytes", operation: operation)
        case .failed(let message): .invalid(message, operation: operation)
        }
    }

    private func encode<Value: Encodable>(_ value: Value, operation: String) throws(KubernetesError) -> Data {
        do {
            return try JSONEncoder().encode(value)
        } catch {
            throw .invalid("cannot encode the request: \(error)", operation: operation)
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ data: Data, operation: String) throws(KubernetesError) -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch {
            throw .invalid("the answer is not a \(Value.self): \(error)", operation: operation)
        }
    }

    /// Percent-encodes a query value (label selectors hold `=`, `!` and `,`).
    private static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
