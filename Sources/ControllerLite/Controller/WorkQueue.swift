import Registry

/// The keys waiting to be reconciled.
///
/// A key is queued at most once however often it changes, and is never handed to two
/// workers at once: one added while a worker has it comes back when that worker is
/// done. A key whose reconcile failed comes back after a per-key exponential backoff.
public actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: [Key] = []
    private var head = 0
    private var queued: Set<Key> = []
    private var processing: Set<Key> = []
    /// Keys added again while being processed.
    private var dirty: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var isShutDown = false
    private let backoff: RetryPolicy

    public init(backoff: RetryPolicy = RetryPolicy(maxAttempts: .max, baseDelay: 0.05, maxDelay: 60)) {
        self.backoff = backoff
    }

    /// Keys waiting (not those being worked on).
    public var count: Int { queue.count - head }

    public func add(_ key: Key) {
        guard !isShutDown else { return }
        if processing.contains(key) {
            dirty.insert(key)
            return
        }
        guard queued.insert(key).inserted else { return }
        if waiters.isEmpty {
            queue.append(key)
        } else {
            processing.insert(key)
            queued.remove(key)
            waiters.removeFirst().resume(returning: key)
        }
    }

    /// The next key to work on, waiting for one; nil once the queue is shut down.
    /// Call ``done(_:)`` when finished with it.
    public func next() async -> Key? {
        if isShutDown { return nil }
        if head < queue.count {
            let key = queue[head]
            head += 1
            // Drop the consumed prefix now and then, not on every take.
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            queued.remove(key)
            processing.insert(key)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// A worker is finished with `key`; if it changed meanwhile, it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }

    /// The reconcile of `key` failed: it comes back after a delay that doubles with each
    /// failure in a row. Returns the delay in seconds.
    @discardableResult
    public func retry(_ key: Key) -> Double {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        let delay = backoff.delay(afterFailures: count) ?? backoff.maxDelay
        add(key, after: .seconds(delay))
        return delay
    }

    /// Queues `key` once `delay` has passed.
    public func add(_ key: Key, after delay: Duration) {
        Task {
            try? await Task.sleep(for: delay)
            self.add(key)
        }
    }

    /// The reconcile of `key` succeeded: its next failure starts the backoff afresh.
    public func forget(_ key: Key) { failures[key] = nil }

    /// Wakes every waiting worker with nil and refuses new keys.
    public func shutDown() {
        isShutDown = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters = []
    }
}
