@testable import Extractor

/// Assembles pickle bytes opcode by opcode, the way `torch.jit.save` writes them.
struct PickleBuilder {
    private(set) var bytes: [UInt8] = [PickleOpcode.proto.rawValue, 2]

    func op(_ opcode: PickleOpcode, _ arguments: UInt8...) -> PickleBuilder {
        appending([opcode.rawValue] + arguments)
    }

    /// BINUNICODE
    func string(_ text: String) -> PickleBuilder {
        let utf8 = Array(text.utf8)
        return appending([PickleOpcode.binunicode.rawValue] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8)
    }

    /// BININT1
    func int(_ value: UInt8) -> PickleBuilder { op(.binint1, value) }

    func global(_ module: String, _ name: String) -> PickleBuilder {
        appending([PickleOpcode.global.rawValue] + Array("\(module)\n\(name)\n".utf8))
    }

    /// A module object as `torch.jit.save` writes it: `GLOBAL EMPTY_TUPLE NEWOBJ
    /// EMPTY_DICT MARK <attributes> SETITEMS BUILD`.
    func module(_ module: String, _ name: String, _ attributes: (PickleBuilder) -> PickleBuilder = { $0 }) -> PickleBuilder {
        let opened = global(module, name).op(.emptyTuple).op(.newobj).op(.emptyDict).op(.mark)
        return attributes(opened).op(.setitems).op(.build)
    }

    var stopped: [UInt8] { bytes + [PickleOpcode.stop.rawValue] }

    private func appending(_ more: [UInt8]) -> PickleBuilder {
        var copy = self
        copy.bytes += more
        return copy
    }
}
