/// A value a Python pickle describes, built without running anything: a class or
/// function reference stays a name, and a call (REDUCE, NEWOBJ) becomes an inert
/// ``PickleObject`` holding its arguments and the state BUILD gave it.
///
/// Values are plain Swift values, so they cannot form cycles; ``PickleMachine``
/// bounds how deeply they nest.
indirect enum PickleValue: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// Entries in the order SETITEM(S) gave them; a repeated key is kept twice and
    /// ``value(forKey:)`` takes the last, as Python's dict would.
    case dict([PickleDictEntry])
    /// A class or function GLOBAL / STACK_GLOBAL names, `module.name`; never imported.
    case global(String)
    case object(PickleObject)
    /// A reference to data outside the pickle (BINPERSID, PERSID): in TorchScript,
    /// a tensor storage under `data/`.
    case persistent(PickleValue)

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var object: PickleObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// What kind of value this is, in Python's words (for errors).
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global(let name): "global \(name)"
        case .object(let object): "\(object.className) object"
        case .persistent: "persistent id"
        }
    }

    /// The value a dict holds under a string key.
    func value(forKey key: String) -> PickleValue? {
        guard case .dict(let entries) = self else { return nil }
        return entries.last { $0.key == .string(key) }?.value
    }
}

struct PickleDictEntry: Equatable, Sendable {
    let key: PickleValue
    let value: PickleValue
}

/// What a call in a pickle made, with nothing executed.
struct PickleObject: Equatable, Sendable {
    /// Which call made it, counting from 0 in pickle order: copies of one object (memo
    /// references) share it, separate calls never do.
    let id: Int
    /// The qualified name of the class or function called (`__torch__.Net`,
    /// `torch._utils._rebuild_tensor_v2`).
    let className: String
    let arguments: [PickleValue]
    /// What BUILD set (for TorchScript modules, a dict of attributes).
    var state: PickleValue?
}

/// Why bytes are not a pickle this reader takes, and where.
struct PickleError: Error, Equatable, CustomStringConvertible {
    let detail: String
    let offset: Int

    var description: String { "\(detail) (byte \(offset))" }
}
