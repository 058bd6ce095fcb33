import Registry

/// The list/watch/resync cycle of one kind, as a pure state machine: fed what each
/// LIST and WATCH came to, it says what to do next. No I/O and no clock of its own:
/// the informer drives it and passes the time in.
///
/// - A LIST gives the resourceVersion a WATCH starts from.
/// - Each event moves that resourceVersion on, so a watch the server ended (its
///   timeout) or a cut connection resumes where it stopped, without a LIST.
/// - A 410 (the resourceVersion left the server's history) means LIST again.
/// - Failures wait with bounded exponential backoff; a success resets it.
/// - Every `resyncPeriod`, between two watches, everything is handed to the
///   handlers again: a level-based safety net for anything missed.
public struct ListWatchMachine: Sendable {
    public enum Step: Hashable, Sendable {
        case list
        /// Watch from this resourceVersion; the server ends the watch after `timeoutSeconds`.
        case watch(from: String, timeoutSeconds: Int)
        /// Hand every cached object to the handlers again, then call ``resynced(at:)``.
        case resync
        /// Wait, then call ``waited(at:)``.
        case wait(seconds: Double)
    }

    /// How a watch ended.
    public enum WatchEnd: Hashable, Sendable {
        /// The server closed it (its timeout): normal.
        case closed
        /// 410 Gone, as the answer or as an ERROR event.
        case expired
        /// A cut connection, another error answer or an ERROR event.
        case failed
    }

    public let resyncPeriod: Duration
    public let backoff: RetryPolicy
    /// The longest watch asked of the server.
    public let maxWatchSeconds: Int
    public private(set) var resourceVersion: String?
    private var failures = 0
    private var nextResync: ContinuousClock.Instant
    /// When the last watch was asked for: one the server ends at once is a failure, or
    /// a server that does so would be asked again and again without pause.
    private var watchStarted: ContinuousClock.Instant?
    /// What a wait is for.
    private enum Retry: Sendable { case list, watch }
    private var afterWait = Retry.list

    public init(resyncPeriod: Duration, backoff: RetryPolicy = RetryPolicy(maxAttempts: .max, baseDelay: 0.5, maxDelay: 30),
                maxWatchSeconds: Int = 300, now: ContinuousClock.Instant) {
        self.resyncPeriod = resyncPeriod
        self.backoff = backoff
        self.maxWatchSeconds = maxWatchSeconds
        nextResync = now + resyncPeriod
    }

    public func start() -> Step { .list }

    /// A LIST succeeded: watch from its resourceVersion. (A LIST hands everything to the
    /// handlers, so it counts as a resync.)
    public mutating func listed(resourceVersion: String, at now: ContinuousClock.Instant) -> Step {
        self.resourceVersion = resourceVersion
        failures = 0
        nextResync = now + resyncPeriod
        return watch(at: now)
    }

    public mutating func listFailed() -> Step {
        resourceVersion = nil
        return retry(then: .list)
    }

    /// An event arrived: the stream has reached its resourceVersion.
    public mutating func observed(resourceVersion: String?) {
        if let resourceVersion, !resourceVersion.isEmpty { self.resourceVersion = resourceVersion }
    }

    public mutating func watchEnded(_ end: WatchEnd, at now: ContinuousClock.Instant) -> Step {
        switch end {
        case .expired:
            resourceVersion = nil
            failures = 0
            return .list
        case .failed:
            return retry(then: .watch)
        case .closed:
            if let watchStarted, now - watchStarted < .seconds(1) { return retry(then: .watch) }
            failures = 0
            return now >= nextResync ? .resync : watch(at: now)
        }
    }

    public mutating func resynced(at now: ContinuousClock.Instant) -> Step {
        nextResync = now + resyncPeriod
        return watch(at: now)
    }

    public mutating func waited(at now: ContinuousClock.Instant) -> Step {
        afterWait == .list ? .list : watch(at: now)
    }

    /// A watch from where the stream got to, ending in time for the next resync.
    private mutating func watch(at now: ContinuousClock.Instant) -> Step {
        guard let resourceVersion else { return .list }
        watchStarted = now
        let left = (nextResync - now).components.seconds
        return .watch(from: resourceVersion, timeoutSeconds: Int(max(1, min(Int64(maxWatchSeconds), left))))
    }

    private mutating func retry(then next: Retry) -> Step {
        failures += 1
        afterWait = next
        return .wait(seconds: backoff.delay(afterFailures: failures) ?? backoff.maxDelay)
    }
}
