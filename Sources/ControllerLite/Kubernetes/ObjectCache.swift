/// The objects of one kind as last listed and watched, by key, with an optional index
/// by the value of one label (pods by the ModelJob they run for).
///
/// A plain value: the informer keeps it under its lock.
public struct ObjectCache<Object: KubernetesObject>: Sendable {
    /// A change to one object: nil before means added, nil after means deleted.
    public struct Change: Sendable {
        public var key: ObjectKey
        public var old: Object?
        public var new: Object?
    }

    public private(set) var objects: [ObjectKey: Object] = [:]
    /// The label whose value (with the namespace) indexes the objects.
    public let indexLabel: String?
    private var index: [ObjectKey: Set<ObjectKey>] = [:]

    public init(indexLabel: String? = nil) { self.indexLabel = indexLabel }

    public subscript(key: ObjectKey) -> Object? { objects[key] }

    /// The objects whose index label has `key.name` as its value, in `key.namespace`.
    public func indexed(_ key: ObjectKey) -> [Object] {
        (index[key] ?? []).sorted().compactMap { objects[$0] }
    }

    /// Replaces everything with a fresh list; returns what changed (added, changed or
    /// gone), so that a relist after a broken watch misses no deletion.
    public mutating func replace(with items: [Object]) -> [Change] {
        var fresh: [ObjectKey: Object] = [:]
        for item in items { fresh[item.key] = item }
        var changes: [Change] = []
        for (key, old) in objects where fresh[key] == nil { changes.append(Change(key: key, old: old, new: nil)) }
        for (key, new) in fresh {
            let old = objects[key]
            if old?.metadata.resourceVersion != new.metadata.resourceVersion || old == nil {
                changes.append(Change(key: key, old: old, new: new))
            }
        }
        objects = [:]
        index = [:]
        for item in items { store(item) }
        return changes.sorted { $0.key < $1.key }
    }

    /// Applies a watch event; returns the change, or nil for a bookmark or an error.
    public mutating func apply(_ event: WatchEvent<Object>) -> Change? {
        switch event {
        case .added(let object), .modified(let object):
            let old = remove(object.key)
            store(object)
            return Change(key: object.key, old: old, new: object)
        case .deleted(let object):
            return Change(key: object.key, old: remove(object.key) ?? object, new: nil)
        case .bookmark, .error:
            return nil
        }
    }

    private mutating func store(_ object: Object) {
        objects[object.key] = object
        if let indexKey = indexKey(of: object) { index[indexKey, default: []].insert(object.key) }
    }

    private mutating func remove(_ key: ObjectKey) -> Object? {
        guard let old = objects.removeValue(forKey: key) else { return nil }
        if let indexKey = indexKey(of: old) {
            index[indexKey]?.remove(key)
            if index[indexKey]?.isEmpty == true { index[indexKey] = nil }
        }
        return old
    }

    private func indexKey(of object: Object) -> ObjectKey? {
        guard let indexLabel, let value = object.metadata.labels?[indexLabel] else { return nil }
        return ObjectKey(namespace: object.metadata.namespace ?? "", name: value)
    }
}
