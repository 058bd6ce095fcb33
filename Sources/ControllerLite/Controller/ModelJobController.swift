import Foundation
import Logging
import NIOConcurrencyHelpers
import ModelPackage
import ServiceLifecycle

/// The controller of cluster mode: turns each ModelJob into a Job running `klever job`
/// and reports how it goes in the ModelJob's status.
///
/// Informers keep caches of the ModelJobs, of the Jobs and of their pods; each change
/// queues the key of the ModelJob it concerns, and workers reconcile each key with
/// ``Reconciler``, from the caches alone. Level-based: a controller restarted at any
/// point lists everything again and carries on, creating no second Job (its name is
/// the ModelJob's, and "already exists" counts as done) and losing no status. A Job
/// just created is awaited until its watch shows it (``JobExpectations``), so a lagging
/// Job watch costs no second request either.
public final class ModelJobController: Service, Sendable {
    public struct Options: Sendable {
        /// The namespace to watch; nil for all.
        public var namespace: String?
        /// Keys reconciled at once.
        public var workers = 4
        /// How often every ModelJob is reconciled again, changed or not.
        public var resyncPeriod: Duration = .seconds(600)
        /// The longest watch asked of the API server.
        public var maxWatchSeconds = 300
        /// Tries of a status update that keeps meeting newer versions (409).
        public var conflictRetries = 5
        /// How long a created Job may take to reach the Job cache before the controller
        /// stops waiting for it and asks the server again.
        public var jobExpectationTimeout: Duration = .seconds(300)

        public init(namespace: String? = nil) { self.namespace = namespace }
    }

    /// The name Events give as their source.
    public static let component = "klever-controller"

    let client: KubernetesClient
    let settings: WorkerSettings
    let options: Options
    public let metrics: ControllerMetrics
    let logger: Logger
    let modelJobs: Informer<ModelJob>
    let jobs: Informer<Job>
    let pods: Informer<Pod>
    let queue = WorkQueue<ObjectKey>()
    let expectations: NIOLockedValueBox<JobExpectations>

    public init(client: KubernetesClient, settings: WorkerSettings, options: Options, metrics: ControllerMetrics = ControllerMetrics(), logger: Logger) {
        self.client = client
        self.settings = settings
        self.options = options
        self.metrics = metrics
        self.logger = logger
        expectations = NIOLockedValueBox(JobExpectations(timeout: options.jobExpectationTimeout))
        let label = JobComposer.modelJobLabel
        func informer<Object>(_ type: Object.Type, selector: String?, index: String?) -> Informer<Object> {
            Informer(
                type, client: client, namespace: options.namespace, labelSelector: selector, indexLabel: index,
                resyncPeriod: options.resyncPeriod, maxWatchSeconds: options.maxWatchSeconds, logger: logger)
        }
        modelJobs = informer(ModelJob.self, selector: nil, index: nil)
        // Only what the controller made: its Jobs, and their pods, carry the label.
        jobs = informer(Job.self, selector: label, index: nil)
        pods = informer(Pod.self, selector: label, index: label)
    }

    /// Whether every cache has been filled: until then nothing is reconciled.
    public var isReady: Bool { modelJobs.hasSynced && jobs.hasSynced && pods.hasSynced }

    /// The cached ModelJobs by status phase (`Unknown` before their first reconcile).
    public func modelJobsByPhase() -> [String: Int] {
        modelJobs.read { cache in
            var phases = Dictionary(uniqueKeysWithValues: ["Pending", "Running", "Succeeded", "Failed", "Deleting", "Unknown"].map { ($0, 0) })
            for modelJob in cache.objects.values { phases[modelJob.status?.phase?.rawValue ?? "Unknown", default: 0] += 1 }
            return phases
        }
    }

    /// Runs until cancelled or shut down gracefully (once: a controller that stopped is
    /// not started again; a new one carries on from the cluster's state).
    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.modelJobs.run { await self.queue.add($0.key) } }
                group.addTask { await self.jobs.run { await self.jobChanged($0) } }
                group.addTask { await self.pods.run { await self.enqueueOwner(of: $0) } }
                group.addTask {
                    // Sleeps until the controller stops, then lets the workers go.
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    await self.queue.shutDown()
                }
                // A restarted controller must see the Jobs it made before it reconciles.
                while !isReady, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                logger.info("caches filled; reconciling with \(options.workers) workers")
                for _ in 0..<options.workers { group.addTask { await self.work() } }
            }
        }
    }

    /// The Job cache now answers for this Job; its ModelJob is queued.
    private func jobChanged(_ change: ObjectCache<Job>.Change) async {
        guard let owner = owner(of: change) else { return }
        expectations.withLockedValue { $0.observed(owner) }
        await queue.add(owner)
    }

    private func enqueueOwner<Object>(of change: ObjectCache<Object>.Change) async {
        guard let owner = owner(of: change) else { return }
        await queue.add(owner)
    }

    /// The ModelJob a Job or pod belongs to, by the label the controller gave it.
    private func owner<Object>(of change: ObjectCache<Object>.Change) -> ObjectKey? {
        guard let object = change.new ?? change.old, let name = object.metadata.labels?[JobComposer.modelJobLabel] else { return nil }
        return ObjectKey(namespace: object.metadata.namespace ?? "", name: name)
    }

    private func work() async {
        while let key = await queue.next() {
            let started = ContinuousClock.now
            do {
                try await reconcile(key)
                await queue.forget(key)
                metrics.reconciled(.success, seconds: (ContinuousClock.now - started).seconds)
            } catch {
                let delay = await queue.retry(key)
                metrics.reconciled(.error, seconds: (ContinuousClock.now - started).seconds)
                logger.warning("reconcile \(key): \(error); again in \(delay) s")
            }
            await queue.done(key)
        }
    }
}
