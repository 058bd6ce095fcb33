import Foundation
import Logging
import NIOConcurrencyHelpers

/// Keeps a cache of one kind in step with the API server, as ``ListWatchMachine``
/// says (list, watch from the list's resourceVersion, resume, relist on 410, resync),
/// and hands every change to a handler.
public final class Informer<Object: KubernetesObject>: Sendable {
    public typealias Change = ObjectCache<Object>.Change

    private struct State: Sendable {
        var cache: ObjectCache<Object>
        var synced = false
    }

    private let client: KubernetesClient
    private let namespace: String?
    private let labelSelector: String?
    private let resyncPeriod: Duration
    private let maxWatchSeconds: Int
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    /// - Parameters:
    ///   - namespace: the namespace to watch; nil for all.
    ///   - labelSelector: only objects with these labels.
    ///   - indexLabel: a label to index the cache by (see ``indexed(_:)``).
    public init(
        _ type: Object.Type, client: KubernetesClient, namespace: String?, labelSelector: String? = nil, indexLabel: String? = nil,
        resyncPeriod: Duration, maxWatchSeconds: Int, logger: Logger
    ) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.resyncPeriod = resyncPeriod
        self.maxWatchSeconds = maxWatchSeconds
        self.logger = logger
        state = NIOLockedValueBox(State(cache: ObjectCache(indexLabel: indexLabel)))
    }

    /// Whether the first LIST has filled the cache.
    public var hasSynced: Bool { state.withLockedValue { $0.synced } }

    public subscript(key: ObjectKey) -> Object? { state.withLockedValue { $0.cache[key] } }

    /// The cached objects whose index label is `key.name`, in `key.namespace`.
    public func indexed(_ key: ObjectKey) -> [Object] { state.withLockedValue { $0.cache.indexed(key) } }

    /// Reads the cache under its lock.
    public func read<T>(_ body: (ObjectCache<Object>) -> T) -> T { state.withLockedValue { body($0.cache) } }

    /// Lists and watches until the task is cancelled, handing each change to `handle`
    /// (also, on a resync, every object again, unchanged).
    public func run(_ handle: @Sendable (Change) async -> Void) async {
        var machine = ListWatchMachine(resyncPeriod: resyncPeriod, maxWatchSeconds: maxWatchSeconds, now: .now)
        var step = machine.start()
        while !Task.isCancelled {
            switch step {
            case .list:
                do {
                    let list = try await client.list(Object.self, namespace: namespace, labelSelector: labelSelector)
                    let changes = state.withLockedValue { state in
                        state.synced = true
                        return state.cache.replace(with: list.items)
                    }
                    logger.debug("listed \(list.items.count) \(Object.resource) at \(list.resourceVersion)")
                    for change in changes { await handle(change) }
                    step = machine.listed(resourceVersion: list.resourceVersion, at: .now)
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("\(error)")
                    step = machine.listFailed()
                }
            case .watch(let resourceVersion, let timeoutSeconds):
                let end = await watch(from: resourceVersion, timeoutSeconds: timeoutSeconds, machine: &machine, handle)
                step = machine.watchEnded(end, at: .now)
            case .resync:
                let objects = read { Array($0.objects.values) }
                for object in objects { await handle(Change(key: object.key, old: object, new: object)) }
                step = machine.resynced(at: .now)
            case .wait(let seconds):
                try? await Task.sleep(for: .seconds(seconds))
                step = machine.waited(at: .now)
            }
        }
    }

    private func watch(
        from resourceVersion: String, timeoutSeconds: Int, machine: inout ListWatchMachine, _ handle: @Sendable (Change) async -> Void
    ) async -> ListWatchMachine.WatchEnd {
        let events = client.watch(
            Object.self, namespace: namespace, labelSelector: labelSelector, from: resourceVersion, timeoutSeconds: timeoutSeconds)
        do {
            for try await event in events {
                if case .error(let status) = event {
                    logger.info("watch of \(Object.resource) ended: \(status.message ?? "error") (\(status.code ?? 0))")
                    return status.code == 410 ? .expired : .failed
                }
                machine.observed(resourceVersion: event.resourceVersion)
                if let change = state.withLockedValue({ $0.cache.apply(event) }) { await handle(change) }
            }
            return .closed
        } catch let error as KubernetesError where error.isGone {
            logger.info("\(error): listing again")
            return .expired
        } catch {
            logger.warning("\(error)")
            return .failed
        }
    }
}
