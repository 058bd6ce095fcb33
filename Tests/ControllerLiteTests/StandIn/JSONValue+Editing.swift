import Foundation
import ModelPackage

/// Editing JSON objects in place: the stand-in keeps every object as JSON, as the API
/// server keeps them, and changes fields by path.
extension JSONValue {
    /// The value at a path of member names; setting through a missing object creates it.
    subscript(path path: [String]) -> JSONValue? {
        get {
            var value: JSONValue? = self
            for key in path { value = value?[key] }
            return value
        }
        set {
            guard let key = path.first else {
                self = newValue ?? .null
                return
            }
            var members = object ?? [:]
            if path.count == 1 {
                members[key] = newValue
            } else {
                var child = members[key] ?? .object([:])
                child[path: Array(path.dropFirst())] = newValue
                members[key] = child
            }
            self = .object(members)
        }
    }

    /// A dotted path, `metadata.resourceVersion` (for member names without dots).
    subscript(path dotted: String) -> JSONValue? {
        get { self[path: dotted.split(separator: ".").map(String.init)] }
        set { self[path: dotted.split(separator: ".").map(String.init)] = newValue }
    }

    /// JSON merge patch (RFC 7386): objects merge member by member, null removes.
    func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members = object ?? [:]
        for (key, change) in changes {
            if change == .null {
                members[key] = nil
            } else {
                members[key] = (members[key] ?? .null).merging(change)
            }
        }
        return .object(members)
    }

    /// Compact JSON text.
    var data: Data { (try? JSONEncoder().encode(self)) ?? Data("null".utf8) }

    static func parse(_ data: Data) throws -> JSONValue { try JSONValue(parsing: String(decoding: data, as: UTF8.self)) }

    static func encoding<T: Encodable>(_ value: T) throws -> JSONValue { try parse(try JSONEncoder().encode(value)) }
}
