import Foundation

/// HTTP header fields in arrival order; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// The first value of a field.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of a field (`WWW-Authenticate` may come several times).
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every value of a field (or removes it, with nil).
    public mutating func set(_ name: String, _ value: String?) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if let value { add(name, value) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.map { [$0.name.lowercased(), $0.value] } == rhs.fields.map { [$0.name.lowercased(), $0.value] }
    }
}

/// What a request sends as its body.
public enum RequestBody: Sendable, Equatable {
    case none
    case data(Data)
    /// `length` bytes of a file from `offset` (a whole blob, or one chunk of it).
    case file(URL, offset: Int64, length: Int64)

    var length: Int64 {
        switch self {
        case .none: 0
        case .data(let data): Int64(data.count)
        case .file(_, _, let length): length
        }
    }
}

/// One HTTP request.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: RequestBody

    public init(_ method: String, _ url: URL, headers: HTTPHeaders = [:], body: RequestBody = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders = [:]) {
        self.status = status
        self.headers = headers
    }

    /// `Content-Length`, when the server sent a sane one.
    public var contentLength: Int64? { headers["Content-Length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
}

/// Where a response goes as it arrives.
public protocol ResponseSink: AnyObject {
    /// The response head; returning false aborts the transfer.
    func receive(head: HTTPResponseHead) -> Bool
    /// A piece of the body; returning false aborts the transfer.
    func receive(body: UnsafeRawBufferPointer) -> Bool
    /// `count` more bytes of the request body went out (for upload progress).
    func sent(bodyBytes count: Int)
    /// Whether the exchange is no longer wanted; checked about once a second, so that a
    /// long-lived stream (a Kubernetes watch) stops without waiting for data.
    var isCancelled: Bool { get }
}

extension ResponseSink {
    public func sent(bodyBytes count: Int) {}
    public var isCancelled: Bool { false }
}

/// Why an exchange produced no complete response.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection failed, was cut or timed out: worth retrying.
    case connection(String)
    /// The sink refused the response (too large, unexpected) or was cancelled: retrying
    /// will not help.
    case aborted
    /// The request itself could not be made (bad URL, TLS setup, local file).
    case failed(String)

    /// What went wrong, in a few words.
    public var message: String {
        switch self {
        case .connection(let message), .failed(let message): message
        case .aborted: "the transfer was stopped"
        }
    }
}

/// Performs HTTP exchanges, one at a time.
public protocol HTTPTransport: AnyObject {
    /// Sends a request and streams the response into `sink`; returns the final head.
    func perform(_ request: HTTPRequest, sink: ResponseSink) throws(TransportError) -> HTTPResponseHead
}

/// A sink that keeps a small body in memory and refuses a larger one.
public final class BufferSink: ResponseSink {
    public private(set) var data = Data()
    private let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Content-Length is not checked here: a HEAD answer announces a body it does not send.
    public func receive(head: HTTPResponseHead) -> Bool { true }

    public func receive(body: UnsafeRawBufferPointer) -> Bool {
        guard data.count + body.count <= limit else { return false }
        data.append(contentsOf: body)
        return true
    }
}
