/// The Jobs a controller has created that its Job cache has yet to show.
///
/// The ModelJob watch and the Job watch are separate streams: the status written with a
/// new Job can come back, and queue its ModelJob again, before the Job itself does. Until
/// the cache catches up, "no Job in the cache" does not mean "no Job", so the ModelJob
/// waits instead of asking the server for a second one (the Kubernetes Job controller's
/// expectations, for one Job per ModelJob). An expectation lapses after `timeout`, in
/// case the watch never shows the Job (removed before a relist could see it).
struct JobExpectations: Sendable {
    let timeout: Duration
    private var deadlines: [ObjectKey: ContinuousClock.Instant] = [:]

    init(timeout: Duration) { self.timeout = timeout }

    /// The Job of `key` was created (or found to exist) at `now`.
    mutating func created(_ key: ObjectKey, at now: ContinuousClock.Instant) {
        deadlines[key] = now + timeout
    }

    /// The Job watch said something about `key`'s Job: from here on the cache answers.
    mutating func observed(_ key: ObjectKey) {
        deadlines[key] = nil
    }

    /// How long `key` still waits for its Job to reach the cache; nil when it does not.
    mutating func wait(for key: ObjectKey, at now: ContinuousClock.Instant) -> Duration? {
        guard let deadline = deadlines[key] else { return nil }
        guard now < deadline else {
            deadlines[key] = nil
            return nil
        }
        return deadline - now
    }
}
