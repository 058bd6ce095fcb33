import Foundation

/// When to try an exchange again: on 5xx, 408 and 429 answers and on cut connections,
/// a bounded number of times, waiting exponentially longer each time.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all (the first included) before giving up.
    public var maxAttempts: Int
    /// The wait after the first failure; doubled after each further one.
    public var baseDelay: Double
    /// The longest wait, also the cap on a server's `Retry-After`.
    public var maxDelay: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 8) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Whether an answer with this status is worth retrying.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status) && status != 501 && status != 505
    }

    /// The wait before try number `failures + 1`, or nil once `failures` tries have
    /// failed and no more are allowed. `retryAfter` is the server's header, if any.
    public func delay(afterFailures failures: Int, retryAfter: String? = nil) -> Double? {
        guard failures < maxAttempts else { return nil }
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return min(seconds, maxDelay)
        }
        return min(baseDelay * pow(2, Double(max(failures - 1, 0))), maxDelay)
    }
}
