import CurlHTTP
import Foundation
import Logging
import ModelPackage

/// A client of one OCI distribution registry (Harbor, distribution, ...) over libcurl.
///
/// Plain HTTP for loopback registries or with ``Options/plainHTTP``, else HTTPS (without
/// certificate checks with ``Options/insecure``). Answers 401 with Basic credentials or
/// a Bearer token fetched per scope; follows redirects without carrying credentials to
/// other hosts; retries 5xx, 408, 429 and cut connections with bounded backoff.
public final class RegistryClient: ArtifactStore {
    /// How to reach the registry and how hard to try.
    public struct Options: Sendable {
        /// Speak plain HTTP even to a registry that is not on this machine (`--plain-http`).
        public var plainHTTP = false
        /// Accept any TLS certificate (`--insecure`).
        public var insecure = false
        public var retry = RetryPolicy()
        /// Blobs above this size go up in `PATCH` chunks (resumable) instead of one `PUT`.
        public var chunkedUploadThreshold: Int64 = 512 << 20
        public var chunkSize: Int64 = 64 << 20
        /// A transfer that moves no byte for this long counts as a cut connection.
        public var stallTimeoutSeconds = 60

        public init(plainHTTP: Bool = false, insecure: Bool = false) {
            self.plainHTTP = plainHTTP
            self.insecure = insecure
        }

        /// The variables that set ``plainHTTP`` and ``insecure`` where no flag can: in a
        /// Job pod and the serving init container, which the controller configures.
        public static let plainHTTPVariable = "KLEVER_PLAIN_HTTP"
        public static let insecureVariable = "KLEVER_INSECURE"

        /// Options from ``plainHTTPVariable`` and ``insecureVariable`` (`true`, `1`, `yes`).
        public init(environment: [String: String]) {
            func isSet(_ name: String) -> Bool { ["1", "true", "yes"].contains(environment[name]?.lowercased() ?? "") }
            self.init(plainHTTP: isSet(Self.plainHTTPVariable), insecure: isSet(Self.insecureVariable))
        }
    }

    /// `host[:port]`, as references name it.
    public let registry: String
    let baseURL: URL
    let options: Options
    let logger: Logger
    private let transport: HTTPTransport
    private var authenticator: Authenticator

    /// A client for `registry` (`host[:port]`); `transport` replaces libcurl (tests).
    public init(
        registry: String, credentials: Credentials?, options: Options = Options(), logger: Logger,
        transport: HTTPTransport? = nil
    ) throws {
        let scheme = options.plainHTTP || ModelReference.isLoopback(host: registry) ? "http" : "https"
        guard let baseURL = URL(string: "\(scheme)://\(registry)"), baseURL.host != nil else {
            throw KleverError(.usage, file: registry, "not a registry host[:port]")
        }
        self.registry = registry
        self.baseURL = baseURL
        self.options = options
        self.logger = logger
        self.authenticator = Authenticator(credentials: credentials)
        if let transport {
            self.transport = transport
        } else {
            var curlOptions = CurlTransport.Options(insecure: options.insecure)
            curlOptions.stallTimeoutSeconds = options.stallTimeoutSeconds
            do {
                self.transport = try CurlTransport(options: curlOptions)
            } catch {
                throw KleverError(.pull, file: registry, "cannot set up HTTP: \(error)")
            }
        }
    }

    /// `GET /v2/`: the registry is there and accepts the credentials (what `login` checks).
    public func ping() throws {
        let (head, body) = try send(HTTPRequest("GET", url("/v2/")), scope: nil, code: .login, subject: registry)
        guard head.status == 200 else { throw failure(head, body, code: .login, subject: registry) }
    }

    // MARK: - Exchanges

    /// A URL on the registry from an absolute path (`/v2/...`).
    func url(_ path: String) -> URL { URL(string: baseURL.absoluteString + path) ?? baseURL }

    /// The token scope for pulling from, or pushing to, a repository.
    static func scope(_ repository: String, push: Bool) -> String {
        "repository:\(repository):" + (push ? "pull,push" : "pull")
    }

    /// One request and its answer, streamed into `sink`: credentials added, 401s
    /// answered (once with a fresh token), redirects followed. Throws ``TransportError``
    /// for connection trouble and ``KleverError`` (`.login`, about `subject`) for refused
    /// credentials.
    func exchange(_ original: HTTPRequest, scope: String?, subject: String, sink: ResponseSink) throws -> HTTPResponseHead {
        var request = original
        var redirects = 0
        var fetchedToken = false
        while true {
            let onRegistry = URLRules.sameOrigin(request.url, baseURL)
            if onRegistry, request.headers["Authorization"] == nil, let authorization = authenticator.authorization(scope: scope) {
                request.headers.set("Authorization", authorization)
            }
            let gate = GateSink(sink) { head in
                (head.status == 401 && onRegistry) || URLRules.redirect(request, status: head.status, location: head.headers["Location"]) != nil
            }
            let head = try transport.perform(request, sink: gate)
            logger.debug("\(request.method) \(request.url.path) -> \(head.status)")
            if head.status == 401, onRegistry {
                guard !fetchedToken else {
                    throw KleverError(.login, file: subject, "the registry refused the token it asked for (401)")
                }
                switch authenticator.challenged(by: head.headers.values("WWW-Authenticate"), scope: scope, sent: request.headers["Authorization"]) {
                case .retry:
                    break
                case .fetchToken(let tokenRequest):
                    try fetchToken(tokenRequest, scope: scope, subject: subject)
                    fetchedToken = true
                case .refuse(let reason):
                    throw KleverError(.login, file: subject, "\(reason) (401)")
                }
                request.headers.set("Authorization", authenticator.authorization(scope: scope))
                continue
            }
            if let next = URLRules.redirect(request, status: head.status, location: head.headers["Location"]) {
                redirects += 1
                guard redirects <= 10 else { throw TransportError.failed("more than 10 redirects") }
                request = next
                continue
            }
            return head
        }
    }

    /// A request with a small answer, retried on 5xx/408/429 and cut connections.
    /// `code` and `subject` make the error if it never gets through.
    func send(
        _ request: HTTPRequest, scope: String?, limit: Int = 1 << 20, code: KleverError.Code, subject: String
    ) throws -> (HTTPResponseHead, Data) {
        try retrying(code: code, subject: subject) {
            let sink = BufferSink(limit: limit)
            let head = try exchange(request, scope: scope, subject: subject, sink: sink)
            return (head, sink.data)
        }
    }

    /// Runs `attempt` until it gets a non-retryable answer or the policy gives up.
    private func retrying(
        code: KleverError.Code, subject: String, _ attempt: () throws -> (HTTPResponseHead, Data)
    ) throws -> (HTTPResponseHead, Data) {
        var failures = 0
        while true {
            do {
                let (head, body) = try attempt()
                if RetryPolicy.isRetryable(status: head.status) {
                    failures += 1
                    if let delay = options.retry.delay(afterFailures: failures, retryAfter: head.headers["Retry-After"]) {
                        logger.debug("HTTP \(head.status) from \(registry); retrying in \(delay) s")
                        Self.pause(delay)
                        continue
                    }
                }
                return (head, body)
            } catch let error as TransportError {
                guard case .connection(let message) = error else { throw Self.error(error, code: code, subject: subject) }
                failures += 1
                guard let delay = options.retry.delay(afterFailures: failures) else {
                    throw KleverError(code, file: subject, "cannot reach \(registry) after \(failures) tries: \(message)")
                }
                logger.debug("connection to \(registry) failed (\(message)); retrying in \(delay) s")
                Self.pause(delay)
            }
        }
    }

    /// Fetches a Bearer token (sending the credentials, if any, to the realm) and caches it.
    private func fetchToken(_ tokenRequest: Authenticator.TokenRequest, scope: String?, subject: String) throws {
        var request = HTTPRequest("GET", tokenRequest.url)
        if let credentials = authenticator.credentials { request.headers.set("Authorization", credentials.basicAuthorization) }
        let (head, body) = try retrying(code: .login, subject: subject) {
            let sink = BufferSink(limit: 1 << 20)
            return (try transport.perform(request, sink: sink), sink.data)
        }
        guard head.status == 200 else {
            let reason = authenticator.credentials == nil ? Authenticator.noCredentials : "the token server refused the credentials"
            throw KleverError(.login, file: subject, "\(reason) (\(head.status))")
        }
        guard let token = Authenticator.token(fromResponse: body) else {
            throw KleverError(.login, file: subject, "the token server's answer holds no token")
        }
        authenticator.store(token: token, scope: scope)
    }

    // MARK: - Errors

    /// The error for an unexpected answer: `.login` for 401/403, else `code`; the
    /// message is the registry's own (`manifest unknown`) with the status.
    func failure(_ head: HTTPResponseHead, _ body: Data, code: KleverError.Code, subject: String) -> KleverError {
        let code = head.status == 401 || head.status == 403 ? .login : code
        return KleverError(code, file: subject, "\(RegistryErrorBody.message(body, status: head.status)) (\(head.status))")
    }

    static func error(_ error: TransportError, code: KleverError.Code, subject: String) -> KleverError {
        switch error {
        case .connection: KleverError(code, file: subject, "connection failed: \(error.message)")
        case .aborted: KleverError(code, file: subject, "the registry's answer is larger than allowed")
        case .failed: KleverError(code, file: subject, error.message)
        }
    }

    static func pause(_ seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}

/// Passes a response to the caller's sink unless it is one the client handles itself
/// (a 401 to answer, a redirect to follow), whose body is dropped.
private final class GateSink: ResponseSink {
    private let inner: ResponseSink
    private let intercepts: (HTTPResponseHead) -> Bool
    private var intercepting = false

    init(_ inner: ResponseSink, intercepts: @escaping (HTTPResponseHead) -> Bool) {
        self.inner = inner
        self.intercepts = intercepts
    }

    func receive(head: HTTPResponseHead) -> Bool {
        intercepting = intercepts(head)
        return intercepting || inner.receive(head: head)
    }

    func receive(body: UnsafeRawBufferPointer) -> Bool { intercepting || inner.receive(body: body) }

    func sent(bodyBytes count: Int) { inner.sent(bodyBytes: count) }
}

/// The registry's error document: `{"errors": [{"code": ..., "message": ...}]}`.
enum RegistryErrorBody {
    /// The first error's message, else a phrase for the status; never more than a line.
    static func message(_ body: Data, status: Int) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
           let errors = object["errors"] as? [[String: Any]], let first = errors.first,
           let text = (first["message"] as? String) ?? (first["code"] as? String), !text.isEmpty
        {
            return String(text.split(whereSeparator: \.isNewline).first ?? "").prefix(200).description
        }
        switch status {
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not found"
        case 429: return "too many requests"
        default: return status >= 500 ? "registry error" : "unexpected answer"
        }
    }
}
