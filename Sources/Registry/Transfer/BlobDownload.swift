import CurlHTTP

/// Fetching one blob into a temporary file, as a state machine: fed what each attempt
/// brought (the response head, how many body bytes, how the exchange ended), it says
/// what to do next. No I/O here; the registry client drives it.
///
/// It resumes with `Range` after a cut connection, continues a partial file left by an
/// earlier run, starts over when the server ignores the range, and never accepts more
/// bytes than the descriptor's size.
public struct BlobDownload: Sendable {
    /// What the driver does next.
    public enum Action: Equatable, Sendable {
        /// Wait `after` seconds, then GET the blob; from byte `from` (a `Range` request) if above 0.
        case fetch(from: Int64, after: Double)
        /// The file holds `size` bytes: hash it and report with ``verified(_:)``.
        case verify
        /// The file is the blob.
        case done
        case fail(Failure)
    }

    /// Where the body of a response goes.
    public enum BodyDecision: Equatable, Sendable {
        /// Truncate the file to `from` bytes and append the body there (0: start over).
        case write(from: Int64)
        /// Not the blob (an error answer): read it as an error message.
        case discard
        /// Stop the transfer now.
        case abort
    }

    public enum Failure: Equatable, Sendable {
        /// The registry answered this status (404: no such blob).
        case status(Int)
        /// The server sent more bytes than the blob has.
        case tooLarge
        /// The bytes do not hash to the digest.
        case digestMismatch
        /// The connection kept failing; the last error.
        case connection(String)
    }

    public let size: Int64
    private let policy: RetryPolicy
    /// Bytes in the temporary file.
    public private(set) var received: Int64
    /// Whether the file's first bytes came from an earlier attempt that may have been wrong.
    private var resumedFromEarlierRun: Bool
    private var failures = 0
    private var requestedFrom: Int64 = 0
    private var attemptStart: Int64 = 0
    private var head: HTTPResponseHead?
    private var writing = false
    private var pendingFailure: Failure?

    /// A download of a blob of `size` bytes whose temporary file already holds
    /// `partialBytes` (from an earlier run).
    public init(size: Int64, partialBytes: Int64, policy: RetryPolicy) {
        self.size = size
        self.policy = policy
        // A partial file longer than the blob cannot be a prefix of it.
        received = partialBytes <= size ? partialBytes : 0
        resumedFromEarlierRun = received > 0
    }

    public mutating func start() -> Action {
        received == size ? .verify : request(after: 0)
    }

    /// The head of an attempt's response arrived.
    public mutating func receive(head: HTTPResponseHead) -> BodyDecision {
        self.head = head
        writing = false
        switch head.status {
        case 200:
            received = 0
        case 206:
            guard let range = ContentRange(head.headers["Content-Range"]), range.start == requestedFrom,
                  range.total == nil || range.total == size
            else {
                // A range we did not ask for: the file cannot be continued from it.
                received = 0
                return .discard
            }
            received = requestedFrom
        default:
            return .discard
        }
        if let length = head.contentLength, received + length > size {
            pendingFailure = .tooLarge
            return .abort
        }
        writing = true
        attemptStart = received
        return .write(from: received)
    }

    /// `count` body bytes were written; false: stop the transfer (more than the blob has).
    public mutating func receive(bodyBytes count: Int) -> Bool {
        received += Int64(count)
        guard received <= size else {
            pendingFailure = .tooLarge
            return false
        }
        return true
    }

    /// The attempt ended: cleanly (`transportError` nil) or with a connection error.
    public mutating func finished(transportError: String?) -> Action {
        defer { head = nil; writing = false }
        if let pendingFailure { return .fail(pendingFailure) }
        guard let head else {
            return retry(after: transportError ?? "no response", retryAfter: nil)
        }
        if writing {
            if transportError == nil, received == size { return .verify }
            // Cut short (or a Content-Length that lied): resume where the file ends.
            if received > attemptStart { failures = 0 }
            return retry(after: transportError ?? "the response ended early", retryAfter: nil)
        }
        switch head.status {
        case 206, 416:
            // An unusable range, or one the server cannot satisfy: start over.
            received = 0
            return retry(after: "HTTP \(head.status) to a range request", retryAfter: nil)
        case let status where RetryPolicy.isRetryable(status: status):
            return retry(after: "HTTP \(status)", retryAfter: head.headers["Retry-After"], status: status)
        default:
            return .fail(.status(head.status))
        }
    }

    /// The file was hashed after ``Action/verify``.
    public mutating func verified(_ matches: Bool) -> Action {
        if matches { return .done }
        if resumedFromEarlierRun {
            // The earlier run's bytes may be what is wrong: one fresh try.
            resumedFromEarlierRun = false
            received = 0
            return request(after: 0)
        }
        return .fail(.digestMismatch)
    }

    private mutating func retry(after error: String, retryAfter: String?, status: Int? = nil) -> Action {
        failures += 1
        guard let delay = policy.delay(afterFailures: failures, retryAfter: retryAfter) else {
            return .fail(status.map(Failure.status) ?? .connection(error))
        }
        return request(after: delay)
    }

    private mutating func request(after delay: Double) -> Action {
        requestedFrom = received
        return .fetch(from: received, after: delay)
    }
}

/// A `Content-Range: bytes START-END/TOTAL` value (TOTAL may be `*`).
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    let total: Int64?

    init?(_ value: String?) {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/", maxSplits: 1)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1) ?? []
        guard parts.count == 2, bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start <= end else { return nil }
        self.start = start
        self.end = end
        if parts[1] == "*" {
            total = nil
        } else if let total = Int64(parts[1]), total > end {
            self.total = total
        } else {
            return nil
        }
    }
}
