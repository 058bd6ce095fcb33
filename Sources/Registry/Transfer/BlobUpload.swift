import CurlHTTP

/// Sending one blob to a registry, as a state machine: fed each response (status and
/// headers) or connection failure, it says which request to make next. No I/O here.
///
/// `HEAD` first (an existing blob is skipped), then `POST` to open an upload session and
/// either one monolithic `PUT ...&digest=` or, for large blobs, `PATCH` chunks and a
/// closing `PUT`. A failed chunk asks the session how much arrived (`GET` → `Range`) and
/// goes on from there; a failed session starts a new one. Failures are retried with
/// bounded backoff; progress resets the count.
public struct BlobUpload: Sendable {
    /// A request of the protocol; `location` is the upload session URL as the registry gave it.
    public enum Step: Equatable, Sendable {
        /// `HEAD /v2/NAME/blobs/DIGEST`.
        case check
        /// `POST /v2/NAME/blobs/uploads/`.
        case open
        /// `PUT location&digest=DIGEST` with the whole blob.
        case putWhole(location: String)
        /// `PATCH location` with bytes `from..<from+length` (`Content-Range: from-(from+length-1)`).
        case patch(location: String, from: Int64, length: Int64)
        /// `GET location`: how many bytes the session holds (`Range: 0-N`).
        case queryStatus(location: String)
        /// `PUT location&digest=DIGEST`, no body: commit the chunks.
        case close(location: String)
    }

    public enum Action: Equatable, Sendable {
        /// Wait `after` seconds, then make this request.
        case send(Step, after: Double)
        /// The registry has the blob; `uploaded` is false when it had it already.
        case done(uploaded: Bool)
        case fail(Failure)
    }

    public enum Failure: Equatable, Sendable {
        /// The registry answered this status to this step.
        case status(Int, Step)
        /// The registry's answer lacks what the protocol needs (a `Location`).
        case protocolViolation(String)
        /// The connection kept failing; the last error.
        case connection(String)
    }

    public let size: Int64
    /// Chunk size for `PATCH` uploads; nil: one monolithic `PUT`.
    public let chunkSize: Int64?
    private let policy: RetryPolicy
    private var step: Step = .check
    private var failures = 0

    /// An upload of `size` bytes, in chunks of `chunkSize` when given (and smaller than the blob).
    public init(size: Int64, chunkSize: Int64?, policy: RetryPolicy) {
        self.size = size
        self.chunkSize = chunkSize.flatMap { $0 > 0 && $0 < size ? $0 : nil }
        self.policy = policy
    }

    public mutating func start() -> Action { go(.check) }

    /// The registry answered the current step.
    public mutating func receive(status: Int, headers: HTTPHeaders) -> Action {
        let location = headers["Location"].flatMap { $0.isEmpty ? nil : $0 }
        switch (step, status) {
        case (.check, 200):
            return .done(uploaded: false)
        case (.check, 404):
            return progress(.open)
        case (.open, 202):
            guard let location else { return .fail(.protocolViolation("no Location in the answer to POST .../blobs/uploads/")) }
            return progress(firstRequest(at: location))
        case (.putWhole, 201), (.close, 201):
            return .done(uploaded: true)
        case (.patch(let current, _, _), 202), (.queryStatus(let current), 204):
            // The session says how far it got: continue from there.
            let next = location ?? current
            let held = headers["Range"].flatMap(Self.rangeEnd).map { $0 + 1 } ?? 0
            guard held <= size else { return .fail(.protocolViolation("the upload session holds more bytes than the blob")) }
            return progress(held == size ? .close(location: next) : chunk(at: next, from: held))
        case (.patch, 404), (.patch, 416), (.queryStatus, 404), (.close, 404), (.putWhole, 404):
            // The session expired, was lost or disagrees about the offset: open a new one.
            return retry(.open, status: status, headers: headers)
        case (.close, _) where RetryPolicy.isRetryable(status: status):
            // The commit may have happened: ask whether the blob is there.
            return retry(.check, status: status, headers: headers)
        case (.putWhole, _) where RetryPolicy.isRetryable(status: status):
            return retry(.open, status: status, headers: headers)
        case (.patch(let current, _, _), _) where RetryPolicy.isRetryable(status: status):
            return retry(.queryStatus(location: current), status: status, headers: headers)
        case (_, _) where RetryPolicy.isRetryable(status: status):
            return retry(step, status: status, headers: headers)
        default:
            return .fail(.status(status, step))
        }
    }

    /// The current step's connection failed.
    public mutating func failed(transportError: String) -> Action {
        let next: Step
        switch step {
        case .check, .open, .queryStatus: next = step
        case .putWhole: next = .open
        case .patch(let location, _, _): next = .queryStatus(location: location)
        case .close: next = .check
        }
        failures += 1
        guard let delay = policy.delay(afterFailures: failures) else { return .fail(.connection(transportError)) }
        return go(next, after: delay)
    }

    private func firstRequest(at location: String) -> Step {
        chunkSize == nil ? .putWhole(location: location) : chunk(at: location, from: 0)
    }

    private func chunk(at location: String, from offset: Int64) -> Step {
        .patch(location: location, from: offset, length: min(chunkSize ?? size, size - offset))
    }

    private mutating func progress(_ next: Step) -> Action {
        failures = 0
        return go(next)
    }

    private mutating func retry(_ next: Step, status: Int, headers: HTTPHeaders) -> Action {
        failures += 1
        guard let delay = policy.delay(afterFailures: failures, retryAfter: headers["Retry-After"]) else {
            return .fail(.status(status, step))
        }
        return go(next, after: delay)
    }

    private mutating func go(_ next: Step, after delay: Double = 0) -> Action {
        step = next
        return .send(next, after: delay)
    }

    /// The last byte index of a `Range: 0-N` (distribution's upload status).
    static func rangeEnd(_ value: String) -> Int64? {
        let trimmed = value.hasPrefix("bytes=") ? value.dropFirst(6) : Substring(value)
        let bounds = trimmed.split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, Int64(bounds[0]) == 0, let end = Int64(bounds[1]), end >= 0 else { return nil }
        return end
    }
}
