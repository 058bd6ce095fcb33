import Foundation

/// Blocking work moved off Swift's cooperative threads.
enum Offload {
    /// Runs `work` on a thread of its own and awaits its result. libcurl blocks, and the
    /// cooperative pool has one thread per core: a blocked one stalls every task queued
    /// on it. The callers bound how many run at once (the controller's workers, the
    /// webhook's requests).
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}
