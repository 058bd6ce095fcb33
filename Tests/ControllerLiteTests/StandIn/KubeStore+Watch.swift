import ControllerLite
import Foundation
import ModelPackage

extension KubeStore {
    /// An open watch.
    struct Watcher: Sendable {
        var plural: String
        var namespace: String?
        var selector: LabelSelector
        var bookmarks: Bool
        var continuation: AsyncStream<Data>.Continuation
    }

    /// The lines of a watch from `resourceVersion`: the events since, then new ones as
    /// they happen, until `timeoutSeconds` (ending with a BOOKMARK when asked for), until
    /// history is compacted (an ERROR 410), or until the client goes. nil: too old (410).
    func watch(_ plural: String, namespace: String?, selector: LabelSelector, from resourceVersion: String,
               timeoutSeconds: Int, bookmarks: Bool) -> (id: UUID, lines: AsyncStream<Data>)? {
        let from = Int(resourceVersion) ?? revision
        guard from >= oldestWatchable else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        let id = UUID()
        let watcher = Watcher(plural: plural, namespace: namespace, selector: selector, bookmarks: bookmarks, continuation: continuation)
        for event in history where event.revision > from && event.plural == plural && watcher.wants(event.object) {
            continuation.yield(event.line)
        }
        watchers[id] = watcher
        Task {
            try? await Task.sleep(for: .seconds(timeoutSeconds))
            self.end(id)
        }
        return (id, stream)
    }

    /// A watch's client went away (the server saw it when writing to it).
    func forget(_ id: UUID) { watchers[id] = nil }

    /// Forgets the history, as etcd's compaction does: every open watch gets an ERROR
    /// 410 and ends, and watching from before now is refused with 410. Clients must list
    /// again.
    func compactHistory() {
        revision += 1
        oldestWatchable = revision
        history = []
        let expired = Self.line(type: "ERROR", object: Self.status(410, "Expired", "too old resource version").body)
        for watcher in watchers.values {
            watcher.continuation.yield(expired)
            watcher.continuation.finish()
        }
        watchers = [:]
    }

    /// Ends every watch (the server is going away).
    func closeWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers = [:]
    }

    var openWatches: Int { watchers.count }

    func publish(_ plural: String, type: String, object: JSONValue) {
        let line = Self.line(type: type, object: object)
        history.append((revision, plural, line, object))
        if heldWatchEvents[plural] != nil {
            heldWatchEvents[plural, default: []].append((line, object))
            return
        }
        deliver(plural, line: line, object: object)
    }

    /// Holds back the open watches' events of a kind, as a stream lagging behind the
    /// others does, until ``releaseWatchEvents(of:)``.
    func holdWatchEvents(of plural: String) { heldWatchEvents[plural] = [] }

    func releaseWatchEvents(of plural: String) {
        for event in heldWatchEvents.removeValue(forKey: plural) ?? [] { deliver(plural, line: event.line, object: event.object) }
    }

    private func deliver(_ plural: String, line: Data, object: JSONValue) {
        for watcher in watchers.values where watcher.plural == plural && watcher.wants(object) {
            watcher.continuation.yield(line)
        }
    }

    private func end(_ id: UUID) {
        guard let watcher = watchers.removeValue(forKey: id) else { return }
        if watcher.bookmarks {
            let bookmark = JSONValue.object(["metadata": .object(["resourceVersion": .string(String(revision))])])
            watcher.continuation.yield(Self.line(type: "BOOKMARK", object: bookmark))
        }
        watcher.continuation.finish()
    }

    static func line(type: String, object: JSONValue) -> Data {
        JSONValue.object(["type": .string(type), "object": object]).data + Data("\n".utf8)
    }
}

extension KubeStore.Watcher {
    func wants(_ object: JSONValue) -> Bool {
        (namespace == nil || object[path: "metadata.namespace"]?.string == namespace) && selector.matches(object)
    }
}
