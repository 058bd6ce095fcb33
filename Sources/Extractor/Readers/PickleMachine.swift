/// A pickle virtual machine for what `torch.jit.save` writes (protocol 2, and the
/// protocol 3 and 4 opcodes Python's own pickler uses for the same values). It builds
/// ``PickleValue``s and executes nothing.
///
/// Every length is checked against the input and the stack, the memo and the nesting
/// of values are bounded, so hostile bytes give a ``PickleError``, never a crash.
/// Opcodes outside that set are refused by name.
struct PickleMachine {
    struct Limits: Sendable {
        /// How deeply values may nest (deeper values could exhaust the thread's stack
        /// when compared or released).
        var depth = 512
        var stack = 1 << 20
        var memo = 1 << 20
    }

    /// The value of a pickle.
    static func load(_ bytes: [UInt8], limits: Limits = Limits()) throws(PickleError) -> PickleValue {
        var machine = PickleMachine(bytes: bytes, limits: limits)
        return try machine.run()
    }

    /// A value on the stack or in the memo.
    private struct Slot {
        var value: PickleValue
        /// How deeply the value nests (a scalar 0, an empty container 1).
        var depth: Int
        /// The memo key the value was stored under: Python's pickler memoizes a list,
        /// dict or object before filling it, so the memo must see the changes.
        var memoKey: Int?
        /// Taken from the memo: such a value is only ever an element, never changed.
        var fromMemo = false
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var offset = 0
    /// Where the current opcode starts, and which it is (for errors).
    private var opcodeOffset = 0
    private var opcode = PickleOpcode.proto
    private var stack: [Slot] = []
    /// Stack sizes at each open MARK; values below the innermost mark are out of reach.
    private var marks: [Int] = []
    private var memo: [Int: Slot] = [:]
    private var objectCount = 0

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private mutating func run() throws(PickleError) -> PickleValue {
        while offset < bytes.count {
            opcodeOffset = offset
            let byte = bytes[offset]
            offset += 1
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw failure("unknown pickle opcode \(hex(byte))")
            }
            self.opcode = opcode
            if opcode == .stop { return try pop().value }
            try execute(opcode)
        }
        opcodeOffset = offset
        throw failure("truncated: the pickle ends without STOP")
    }

    private mutating func execute(_ opcode: PickleOpcode) throws(PickleError) {
        switch opcode {
        case .proto:
            let version = try readUInt(1)
            guard version <= 5 else { throw failure("unsupported pickle protocol \(version)") }
        case .frame:
            // Frames only group opcodes for buffered reading; the length must still fit.
            _ = try readLength(8)
        case .mark:
            guard marks.count < limits.stack else { throw failure("more than \(limits.stack) open MARKs") }
            marks.append(stack.count)

        case .none: try push(.none)
        case .newtrue: try push(.bool(true))
        case .newfalse: try push(.bool(false))
        case .binint: try push(.int(Int(Int32(truncatingIfNeeded: try readUInt(4)))))
        case .binint1: try push(.int(Int(try readUInt(1))))
        case .binint2: try push(.int(Int(try readUInt(2))))
        case .long1: try push(.int(try readLong()))
        case .binfloat: try push(.float(Double(bitPattern: try read(8).reduce(0) { $0 << 8 | UInt64($1) })))
        case .shortBinunicode: try push(.string(try readString(lengthSize: 1)))
        case .binunicode: try push(.string(try readString(lengthSize: 4)))
        case .binunicode8: try push(.string(try readString(lengthSize: 8)))
        case .shortBinbytes: try push(.bytes(Array(try read(try readLength(1)))))
        case .binbytes: try push(.bytes(Array(try read(try readLength(4)))))
        case .binbytes8: try push(.bytes(Array(try read(try readLength(8)))))

        case .emptyTuple: try push(.tuple([]), depth: 1)
        case .emptyList: try push(.list([]), depth: 1)
        case .emptyDict: try push(.dict([]), depth: 1)
        case .tuple: try pushContainer(try popToMark(), PickleValue.tuple)
        case .tuple1: try pushContainer(try pop(1), PickleValue.tuple)
        case .tuple2: try pushContainer(try pop(2), PickleValue.tuple)
        case .tuple3: try pushContainer(try pop(3), PickleValue.tuple)
        case .append: try appendToList(try pop(1))
        case .appends: try appendToList(try popToMark())
        case .setitem: try setItems(try pop(2))
        case .setitems: try setItems(try popToMark())

        case .global:
            let module = try readLine()
            try push(.global("\(module).\(try readLine())"))
        case .stackGlobal:
            let names = try pop(2)
            guard let module = names[0].value.string, let name = names[1].value.string else {
                throw failure("STACK_GLOBAL needs two strings, got \(names[0].value.kind) and \(names[1].value.kind)")
            }
            try push(.global("\(module).\(name)"))
        case .reduce, .newobj: try call()
        case .build: try build()
        case .binpersid:
            let id = try pop()
            try push(.persistent(id.value), depth: id.depth + 1)
        case .persid: try push(.persistent(.string(try readLine())), depth: 1)

        case .binput: try memoize(key: Int(try readUInt(1)))
        case .longBinput: try memoize(key: Int(try readUInt(4)))
        case .memoize: try memoize(key: memo.count)
        case .binget: try recall(key: Int(try readUInt(1)))
        case .longBinget: try recall(key: Int(try readUInt(4)))

        default:
            throw failure("unsupported pickle opcode \(opcode.name) (\(hex(opcode.rawValue)))")
        }
    }

    // MARK: Stack

    private mutating func push(_ value: PickleValue, depth: Int = 0) throws(PickleError) {
        guard stack.count < limits.stack else { throw failure("more than \(limits.stack) values on the stack") }
        try checkDepth(depth)
        stack.append(Slot(value: value, depth: depth))
    }

    private mutating func pushContainer(_ items: [Slot], _ make: ([PickleValue]) -> PickleValue) throws(PickleError) {
        try push(make(items.map(\.value)), depth: 1 + (items.map(\.depth).max() ?? 0))
    }

    /// The number of values the stack holds above the innermost open MARK.
    private var reachable: Int { stack.count - (marks.last ?? 0) }

    private mutating func pop() throws(PickleError) -> Slot {
        try pop(1)[0]
    }

    private mutating func pop(_ count: Int) throws(PickleError) -> [Slot] {
        guard reachable >= count else {
            throw failure("\(opcode.name) needs \(count) value\(count == 1 ? "" : "s") on the stack, found \(reachable)")
        }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    private mutating func popToMark() throws(PickleError) -> [Slot] {
        guard let mark = marks.popLast() else { throw failure("\(opcode.name) without a MARK") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    /// Changes the value on top of the stack in place, giving it children as deep as
    /// `childDepth`, and the memo entry that holds it too. `change` returns false when
    /// the value is not the `expected` kind.
    private mutating func changeTop(
        expected: String, childDepth: Int, _ change: (inout PickleValue) -> Bool
    ) throws(PickleError) {
        var slot = try pop()
        guard !slot.fromMemo else {
            throw failure("\(opcode.name) changes a \(slot.value.kind) taken from the memo, which no pickler writes")
        }
        slot.depth = max(slot.depth, childDepth + 1)
        try checkDepth(slot.depth)
        // Dropping the memo's copy first leaves the value uniquely referenced, so it
        // changes in place instead of being copied on every APPENDS.
        if let key = slot.memoKey { memo[key] = nil }
        guard change(&slot.value) else {
            throw failure("\(opcode.name) on a \(slot.value.kind), not a\(expected.first == "o" ? "n" : "") \(expected)")
        }
        if let key = slot.memoKey { memo[key] = slot }
        stack.append(slot)
    }

    private mutating func appendToList(_ items: [Slot]) throws(PickleError) {
        try changeTop(expected: "list", childDepth: items.map(\.depth).max() ?? 0) { value in
            guard case .list(var list) = value else { return false }
            value = .none
            list.append(contentsOf: items.map(\.value))
            value = .list(list)
            return true
        }
    }

    private mutating func setItems(_ items: [Slot]) throws(PickleError) {
        guard items.count.isMultiple(of: 2) else { throw failure("\(opcode.name) with a key and no value") }
        try changeTop(expected: "dict", childDepth: items.map(\.depth).max() ?? 0) { value in
            guard case .dict(var entries) = value else { return false }
            value = .none
            for index in stride(from: 0, to: items.count, by: 2) {
                entries.append(PickleDictEntry(key: items[index].value, value: items[index + 1].value))
            }
            value = .dict(entries)
            return true
        }
    }

    // MARK: Objects

    /// REDUCE (`callable(*args)`) and NEWOBJ (`cls.__new__(cls, *args)`): an inert object.
    private mutating func call() throws(PickleError) {
        let popped = try pop(2)
        guard case .global(let className) = popped[0].value else {
            throw failure("\(opcode.name) calls a \(popped[0].value.kind), not a class or function named by GLOBAL")
        }
        guard case .tuple(let arguments) = popped[1].value else {
            throw failure("\(opcode.name) arguments are a \(popped[1].value.kind), not a tuple")
        }
        let object = PickleObject(id: objectCount, className: className, arguments: arguments)
        objectCount += 1
        try push(.object(object), depth: popped[1].depth + 1)
    }

    /// BUILD: the object below gets the state on top (Python's `__setstate__`, not run).
    private mutating func build() throws(PickleError) {
        let state = try pop()
        try changeTop(expected: "object", childDepth: state.depth) { value in
            guard case .object(var object) = value else { return false }
            object.state = state.value
            value = .object(object)
            return true
        }
    }

    // MARK: Memo

    private mutating func memoize(key: Int) throws(PickleError) {
        guard reachable > 0 else { throw failure("\(opcode.name) with an empty stack") }
        guard memo[key] != nil || memo.count < limits.memo else {
            throw failure("more than \(limits.memo) memo entries")
        }
        stack[stack.count - 1].memoKey = key
        memo[key] = stack[stack.count - 1]
    }

    private mutating func recall(key: Int) throws(PickleError) {
        guard var slot = memo[key] else { throw failure("\(opcode.name) of memo key \(key), which was never stored") }
        guard stack.count < limits.stack else { throw failure("more than \(limits.stack) values on the stack") }
        slot.memoKey = nil
        slot.fromMemo = true
        stack.append(slot)
    }

    // MARK: Input

    private mutating func read(_ count: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else {
            throw failure("truncated: \(opcode.name) needs \(count) bytes, \(bytes.count - offset) remain")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// A little-endian unsigned integer of `size` bytes.
    private mutating func readUInt(_ size: Int) throws(PickleError) -> UInt64 {
        try read(size).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A length prefix of `size` bytes, checked against the bytes left.
    private mutating func readLength(_ size: Int) throws(PickleError) -> Int {
        let length = try readUInt(size)
        guard length <= UInt64(bytes.count - offset) else {
            throw failure("truncated: \(opcode.name) says \(length) bytes follow, \(bytes.count - offset) remain")
        }
        return Int(length)
    }

    private mutating func readString(lengthSize: Int) throws(PickleError) -> String {
        String(decoding: try read(try readLength(lengthSize)), as: UTF8.self)
    }

    /// LONG1: a little-endian two's complement integer of up to 8 bytes.
    private mutating func readLong() throws(PickleError) -> Int {
        let count = Int(try readUInt(1))
        guard count <= 8 else { throw failure("LONG1 integer of \(count) bytes does not fit in 64 bits") }
        guard count > 0 else { return 0 }
        let raw = try read(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let unused = 64 - 8 * count
        return Int(bitPattern: UInt(raw << UInt64(unused))) >> unused
    }

    /// The text up to the next newline (GLOBAL and PERSID arguments).
    private mutating func readLine() throws(PickleError) -> String {
        guard let end = bytes[offset...].firstIndex(of: 0x0a) else {
            throw failure("truncated: \(opcode.name) argument has no end of line")
        }
        defer { offset = end + 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    // MARK: Errors

    private func checkDepth(_ depth: Int) throws(PickleError) {
        guard depth <= limits.depth else { throw failure("values nest deeper than \(limits.depth) levels") }
    }

    private func failure(_ detail: String) -> PickleError {
        PickleError(detail: detail, offset: opcodeOffset)
    }

    private func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
}
