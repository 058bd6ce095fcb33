import ControllerLite
import Foundation
import ModelPackage

/// The storage of a Kubernetes API server, in memory, with the semantics a controller
/// relies on: one resourceVersion counter bumped by every write; 409 AlreadyExists for
/// a taken name and 409 Conflict for an update carrying a stale resourceVersion; the
/// `status` subresource (the main resource ignores status, `/status` ignores the rest);
/// finalizers and a deletionTimestamp; background garbage collection of dependents by
/// owner reference; watches from a resourceVersion, and 410 once history is compacted.
actor KubeStore {
    /// An answer: an HTTP status and a JSON body (an object, a list or a Status).
    struct Answer: Sendable {
        var status: Int
        var body: JSONValue
    }

    /// A kind the stand-in serves.
    struct Kind: Sendable {
        var resource: APIResource
        /// Whether writes of `status` go through the `status` subresource only.
        var hasStatusSubresource: Bool
        /// Built-in kinds' LIST items come without apiVersion and kind.
        var builtIn: Bool
    }

    static let kinds: [String: Kind] = [
        "modeljobs": Kind(resource: ModelJob.resource, hasStatusSubresource: true, builtIn: false),
        "jobs": Kind(resource: Job.resource, hasStatusSubresource: true, builtIn: true),
        "pods": Kind(resource: Pod.resource, hasStatusSubresource: true, builtIn: true),
        "events": Kind(resource: Event.resource, hasStatusSubresource: false, builtIn: true),
    ]

    var objects: [String: [ObjectKey: JSONValue]] = [:]
    var revision = 1
    var history: [(revision: Int, plural: String, line: Data, object: JSONValue)] = []
    /// Watches from before this resourceVersion get 410 Gone.
    var oldestWatchable = 0
    var watchers: [UUID: Watcher] = [:]
    /// Watch events of a kind held back from open watches (a slow stream), by plural.
    var heldWatchEvents: [String: [(line: Data, object: JSONValue)]] = [:]
    /// Requests by `METHOD plural[/subresource]` (LIST and WATCH apart from GET).
    private(set) var requests: [String: Int] = [:]
    /// What clients wrote (POST and PUT bodies), to check against the schemas.
    private(set) var written: [JSONValue] = []
    /// Changes made "by someone else" just before the next status update of an object.
    private var interference: [String: @Sendable (inout JSONValue) -> Void] = [:]
    /// Answers to give instead of serving, by request (`GET modeljobs`): an overloaded server.
    private var injected: [String: (status: Int, count: Int)] = [:]

    // MARK: - Reading (tests)

    func object(_ plural: String, _ key: ObjectKey) -> JSONValue? { objects[plural]?[key] }

    func all(_ plural: String) -> [JSONValue] { (objects[plural] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }

    func decoded<Object: KubernetesObject>(_ type: Object.Type, _ key: ObjectKey) throws -> Object? {
        try objects[Object.resource.plural]?[key].map { try JSONDecoder().decode(Object.self, from: $0.data) }
    }

    func count(_ request: String) -> Int { requests[request] ?? 0 }

    /// How many objects of a kind there are (that `filter` accepts).
    func count(of plural: String, where filter: (JSONValue) -> Bool = { _ in true }) -> Int {
        (objects[plural] ?? [:]).values.count(where: filter)
    }

    /// Makes the next status update of an object meet a newer version: `change` is
    /// applied (as another writer would) right before it, so its resourceVersion is stale.
    func interfere(beforeNextStatusUpdateOf plural: String, _ key: ObjectKey, _ change: @escaping @Sendable (inout JSONValue) -> Void) {
        interference["\(plural)/\(key)"] = change
    }

    // MARK: - Requests

    /// Counts a request; returns the failure to answer instead, if one was injected.
    func record(request: String) -> Answer? {
        requests[request, default: 0] += 1
        guard let failure = injected[request], failure.count > 0 else { return nil }
        injected[request] = (failure.status, failure.count - 1)
        return Self.status(failure.status, "ServiceUnavailable", "injected failure")
    }

    /// Makes the next `count` requests `request` (`GET modeljobs`) fail with `status`.
    func inject(_ status: Int, times count: Int, into request: String) { injected[request] = (status, count) }

    func list(_ plural: String, namespace: String?, selector: LabelSelector) -> Answer {
        guard let kind = Self.kinds[plural] else { return Self.notFound(plural) }
        let items = all(plural).filter { object in
            (namespace == nil || object[path: "metadata.namespace"]?.string == namespace) && selector.matches(object)
        }.map { object -> JSONValue in
            guard kind.builtIn else { return object }
            var item = object
            item[path: ["apiVersion"]] = nil
            item[path: ["kind"]] = nil
            return item
        }
        return Answer(status: 200, body: .object([
            "apiVersion": .string(kind.resource.apiVersion), "kind": .string(kind.resource.kind + "List"),
            "metadata": .object(["resourceVersion": .string(String(revision))]), "items": .array(items),
        ]))
    }

    func get(_ plural: String, _ key: ObjectKey) -> Answer {
        guard let object = objects[plural]?[key] else { return Self.notFound(plural, key) }
        return Answer(status: 200, body: object)
    }

    func create(_ plural: String, namespace: String, body: JSONValue) -> Answer {
        guard let kind = Self.kinds[plural] else { return Self.notFound(plural) }
        written.append(body)
        var object = body
        if let bodyNamespace = object[path: "metadata.namespace"]?.string, bodyNamespace != namespace {
            return Self.status(400, "BadRequest", "the namespace of the object (\(bodyNamespace)) does not match the namespace on the request (\(namespace))")
        }
        object[path: "metadata.namespace"] = .string(namespace)
        if object[path: "metadata.name"]?.string?.isEmpty ?? true, let prefix = object[path: "metadata.generateName"]?.string {
            object[path: "metadata.name"] = .string(prefix + String(UUID().uuidString.lowercased().prefix(5)))
        }
        let name = object[path: "metadata.name"]?.string ?? ""
        guard Self.isDNSSubdomain(name) else {
            return Self.status(422, "Invalid", "\(kind.resource.kind) \"\(name)\" is invalid: metadata.name: must be a lowercase RFC 1123 subdomain")
        }
        let key = ObjectKey(namespace: namespace, name: name)
        guard objects[plural]?[key] == nil else {
            return Self.status(409, "AlreadyExists", "\(plural).\(kind.resource.group) \"\(name)\" already exists")
        }
        if kind.hasStatusSubresource { object[path: ["status"]] = nil }
        object[path: "apiVersion"] = .string(kind.resource.apiVersion)
        object[path: "kind"] = .string(kind.resource.kind)
        object[path: "metadata.uid"] = .string(UUID().uuidString.lowercased())
        object[path: "metadata.generation"] = .number(1)
        object[path: "metadata.creationTimestamp"] = .string(ISO8601DateFormatter().string(from: Date()))
        return Answer(status: 201, body: commit(plural, key, "ADDED", object))
    }

    /// PUT of an object or of its status.
    func replace(_ plural: String, _ key: ObjectKey, body: JSONValue, subresource: String?) -> Answer {
        guard let kind = Self.kinds[plural] else { return Self.notFound(plural) }
        written.append(body)
        if subresource == "status", let change = interference.removeValue(forKey: "\(plural)/\(key)"), var current = objects[plural]?[key] {
            change(&current)
            commit(plural, key, "MODIFIED", current)
        }
        guard let stored = objects[plural]?[key] else { return Self.notFound(plural, key) }
        if let sent = body[path: "metadata.resourceVersion"]?.string, sent != stored[path: "metadata.resourceVersion"]?.string {
            return Self.status(
                409, "Conflict",
                "Operation cannot be fulfilled on \(kind.resource): the object has been modified; please apply your changes to the latest version and try again")
        }
        return Answer(status: 200, body: write(plural, kind, key, stored: stored, new: body, subresource: subresource))
    }

    func patch(_ plural: String, _ key: ObjectKey, patch: JSONValue, subresource: String?) -> Answer {
        guard let kind = Self.kinds[plural] else { return Self.notFound(plural) }
        guard let stored = objects[plural]?[key] else { return Self.notFound(plural, key) }
        return Answer(status: 200, body: write(plural, kind, key, stored: stored, new: stored.merging(patch), subresource: subresource))
    }

    func delete(_ plural: String, _ key: ObjectKey) -> Answer {
        guard var object = objects[plural]?[key] else { return Self.notFound(plural, key) }
        if !(object[path: "metadata.finalizers"]?.array ?? []).isEmpty {
            if object[path: "metadata.deletionTimestamp"] == nil {
                object[path: "metadata.deletionTimestamp"] = .string(ISO8601DateFormatter().string(from: Date()))
                object = commit(plural, key, "MODIFIED", object)
            }
            return Answer(status: 200, body: object)
        }
        return Answer(status: 200, body: remove(plural, key))
    }

    // MARK: - Writing

    /// Stores a replacement, honouring the status subresource; finishes a deletion whose
    /// last finalizer went.
    private func write(_ plural: String, _ kind: Kind, _ key: ObjectKey, stored: JSONValue, new: JSONValue, subresource: String?) -> JSONValue {
        var object: JSONValue
        if subresource == "status" {
            object = stored
            object[path: ["status"]] = new[path: ["status"]]
        } else {
            object = new
            if kind.hasStatusSubresource { object[path: ["status"]] = stored[path: ["status"]] }
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "generation", "namespace", "name"] {
                object[path: ["metadata", field]] = stored[path: ["metadata", field]]
            }
            if object[path: ["spec"]] != stored[path: ["spec"]] {
                object[path: "metadata.generation"] = .number(Double((stored[path: "metadata.generation"]?.int ?? 0) + 1))
            }
        }
        object[path: "apiVersion"] = .string(kind.resource.apiVersion)
        object[path: "kind"] = .string(kind.resource.kind)
        if object[path: "metadata.deletionTimestamp"] != nil, (object[path: "metadata.finalizers"]?.array ?? []).isEmpty {
            objects[plural]?[key] = object
            return remove(plural, key)
        }
        return commit(plural, key, "MODIFIED", object)
    }

    /// Removes an object, then (as the garbage collector does) its dependents.
    @discardableResult
    private func remove(_ plural: String, _ key: ObjectKey) -> JSONValue {
        guard let object = objects[plural]?.removeValue(forKey: key) else { return .null }
        let deleted = commit(plural, key, "DELETED", object, store: false)
        if let uid = object[path: "metadata.uid"]?.string {
            for (dependentPlural, dependents) in objects {
                for (dependentKey, dependent) in dependents
                where dependent[path: "metadata.ownerReferences"]?.array?.contains(where: { $0["uid"]?.string == uid }) == true {
                    _ = delete(dependentPlural, dependentKey)
                }
            }
        }
        return deleted
    }

    /// Gives the object the next resourceVersion, stores it and tells the watches.
    @discardableResult
    func commit(_ plural: String, _ key: ObjectKey, _ type: String, _ object: JSONValue, store: Bool = true) -> JSONValue {
        revision += 1
        var object = object
        object[path: "metadata.resourceVersion"] = .string(String(revision))
        if store { objects[plural, default: [:]][key] = object }
        publish(plural, type: type, object: object)
        return object
    }

    // MARK: - Answers

    static func status(_ code: Int, _ reason: String, _ message: String) -> Answer {
        Answer(status: code, body: .object([
            "kind": .string("Status"), "apiVersion": .string("v1"), "status": .string("Failure"), "message": .string(message),
            "reason": .string(reason), "code": .number(Double(code)),
        ]))
    }

    static func notFound(_ plural: String, _ key: ObjectKey? = nil) -> Answer {
        status(404, "NotFound", key.map { "\(plural) \"\($0.name)\" not found" } ?? "the server could not find the requested resource")
    }

    private static func isDNSSubdomain(_ name: String) -> Bool {
        guard (1...253).contains(name.count), let first = name.first, let last = name.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
    }
}
