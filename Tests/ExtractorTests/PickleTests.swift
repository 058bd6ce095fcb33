import Foundation
import Testing
import TestSupport
@testable import Extractor

@Suite struct PickleTests {
    /// What torch.jit.save writes for a module with a tensor attribute; the classes
    /// become names, nothing is imported or called.
    @Test func buildsATorchScriptModuleWithoutRunningIt() throws {
        let bytes = PickleBuilder().module("__torch__", "Net") {
            $0.string("training").op(.newtrue)
                .string("fc").module("__torch__.torch.nn.modules.linear.___torch_mangle_0", "Linear") {
                    $0.string("weight").global("torch._utils", "_rebuild_tensor_v2")
                        .op(.mark).op(.mark).string("storage").global("torch", "FloatStorage")
                        .string("0").string("cpu").int(6).op(.tuple).op(.binpersid)
                        .int(0).int(2).int(3).op(.tuple2).op(.tuple).op(.reduce)
                }
        }.stopped
        let root = try #require(try PickleMachine.load(bytes).object)
        #expect(root.className == "__torch__.Net")
        #expect(root.arguments.isEmpty)
        #expect(root.state?.value(forKey: "training") == .bool(true))
        let linear = try #require(root.state?.value(forKey: "fc")?.object)
        #expect(linear.className == "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear")
        let weight = try #require(linear.state?.value(forKey: "weight")?.object)
        #expect(weight.className == "torch._utils._rebuild_tensor_v2")
        #expect(weight.arguments == [
            .persistent(.tuple([.string("storage"), .global("torch.FloatStorage"), .string("0"), .string("cpu"), .int(6)])),
            .int(0), .tuple([.int(2), .int(3)]),
        ])
    }

    /// Python's pickler stores a list in the memo before filling it:
    /// `pickle.dumps((l, l), protocol=2)` with `l = [1, 2, 3]`.
    @Test func theMemoSeesAListFilledAfterItWasStored() throws {
        let bytes: [UInt8] = [0x80, 2, 0x5d, 0x71, 0, 0x28, 0x4b, 1, 0x4b, 2, 0x4b, 3, 0x65, 0x68, 0, 0x86, 0x71, 1, 0x2e]
        let list = PickleValue.list([.int(1), .int(2), .int(3)])
        #expect(try PickleMachine.load(bytes) == .tuple([list, list]))
    }

    /// `pickle.dumps({...}, protocol=3)` of the scalars torch's pickles hold.
    @Test func readsTheScalarsPythonWrites() throws {
        let bytes: [UInt8] = [
            128, 3, 125, 113, 0, 40, 88, 1, 0, 0, 0, 97, 113, 1, 74, 251, 255, 255, 255, 88, 1, 0, 0, 0, 98, 113, 2, 77, 44, 1,
            88, 1, 0, 0, 0, 99, 113, 3, 74, 112, 17, 1, 0, 88, 1, 0, 0, 0, 100, 113, 4, 138, 6, 0, 0, 0, 0, 0, 255,
            88, 1, 0, 0, 0, 101, 113, 5, 71, 63, 248, 0, 0, 0, 0, 0, 0, 88, 1, 0, 0, 0, 102, 113, 6,
            88, 6, 0, 0, 0, 104, 195, 169, 108, 108, 111, 113, 7, 88, 1, 0, 0, 0, 103, 113, 8, 67, 2, 0, 1, 113, 9,
            88, 1, 0, 0, 0, 104, 113, 10, 78, 88, 1, 0, 0, 0, 105, 113, 11, 137, 117, 46,
        ]
        let value = try PickleMachine.load(bytes)
        let expected: [(String, PickleValue)] = [
            ("a", .int(-5)), ("b", .int(300)), ("c", .int(70000)), ("d", .int(-(1 << 40))), ("e", .float(1.5)),
            ("f", .string("héllo")), ("g", .bytes([0, 1])), ("h", .none), ("i", .bool(false)),
        ]
        for (key, scalar) in expected {
            #expect(value.value(forKey: key) == scalar, "\(key)")
        }
    }

    @Test func readsEightByteIntegersAndLongStrings() throws {
        let bytes = PickleBuilder().op(.mark).op(.long1, 8, 0, 0, 0, 0, 0, 0, 0, 0x80)
            .op(.binunicode8, 2, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x69).op(.shortBinunicode, 1, 0x78)
            .op(.long1, 0).op(.binbytes, 1, 0, 0, 0, 0xff).op(.tuple).stopped
        #expect(try PickleMachine.load(bytes) == .tuple([.int(Int.min), .string("hi"), .string("x"), .int(0), .bytes([0xff])]))
    }

    /// `pickle.dumps(collections.OrderedDict, protocol=4)`: FRAME, MEMOIZE, STACK_GLOBAL.
    @Test func readsProtocol4Framing() throws {
        let bytes: [UInt8] = [
            128, 4, 149, 31, 0, 0, 0, 0, 0, 0, 0, 140, 11, 99, 111, 108, 108, 101, 99, 116, 105, 111, 110, 115, 148,
            140, 11, 79, 114, 100, 101, 114, 101, 100, 68, 105, 99, 116, 148, 147, 148, 46,
        ]
        #expect(try PickleMachine.load(bytes) == .global("collections.OrderedDict"))
    }

    /// Copies of one object from the memo are one object (TorchScript identity);
    /// separate calls are separate objects.
    @Test func objectsKeepTheirIdentityThroughTheMemo() throws {
        let object = PickleBuilder().global("__torch__", "M").op(.emptyTuple).op(.newobj)
        let bytes = object.op(.binput, 0).op(.binget, 0).global("__torch__", "M").op(.emptyTuple).op(.newobj)
            .op(.tuple3).stopped
        guard case .tuple(let objects) = try PickleMachine.load(bytes) else { Issue.record("not a tuple"); return }
        #expect(objects.compactMap(\.object?.id) == [0, 0, 1])
    }

    @Test(arguments: [
        ([0x80, 2, 0x8b, 0, 0, 0, 0, 0x2e], "unsupported pickle opcode LONG4 (0x8b) (byte 2)"),
        ([0x80, 2, 0x4e, 0x69, 0x2e], "unsupported pickle opcode INST (0x69) (byte 3)"),
        ([0x80, 2, 0xff], "unknown pickle opcode 0xff (byte 2)"),
        ([0x80, 6, 0x4e, 0x2e], "unsupported pickle protocol 6 (byte 0)"),
        ([0x80, 2, 0x58, 0xe8, 3, 0, 0, 0x61, 0x62, 0x63], "truncated: BINUNICODE says 1000 bytes follow, 3 remain (byte 2)"),
        ([0x80, 2, 0x58, 0xff, 0xff, 0xff], "truncated: BINUNICODE needs 4 bytes, 3 remain (byte 2)"),
        ([0x80, 2, 0x4e], "truncated: the pickle ends without STOP (byte 3)"),
        ([0x80, 2, 0x63, 0x61, 0x62], "truncated: GLOBAL argument has no end of line (byte 2)"),
        ([0x80, 2, 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x2e], "LONG1 integer of 9 bytes does not fit in 64 bits (byte 2)"),
        ([0x80, 2, 0x4e, 0x86, 0x2e], "TUPLE2 needs 2 values on the stack, found 1 (byte 3)"),
        ([0x80, 2, 0x4e, 0x28, 0x85, 0x2e], "TUPLE1 needs 1 value on the stack, found 0 (byte 4)"),
        ([0x80, 2, 0x2e], "STOP needs 1 value on the stack, found 0 (byte 2)"),
        ([0x80, 2, 0x5d, 0x65, 0x2e], "APPENDS without a MARK (byte 3)"),
        ([0x80, 2, 0x7d, 0x4e, 0x61, 0x2e], "APPEND on a dict, not a list (byte 4)"),
        ([0x80, 2, 0x7d, 0x28, 0x4e, 0x75, 0x2e], "SETITEMS with a key and no value (byte 5)"),
        ([0x80, 2, 0x4e, 0x4e, 0x62, 0x2e], "BUILD on a None, not an object (byte 4)"),
        ([0x80, 2, 0x68, 5, 0x2e], "BINGET of memo key 5, which was never stored (byte 2)"),
        ([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x4e, 0x61, 0x2e], "APPEND changes a list taken from the memo, which no pickler writes (byte 8)"),
        ([0x80, 2, 0x4e, 0x29, 0x52, 0x2e], "REDUCE calls a None, not a class or function named by GLOBAL (byte 4)"),
        ([0x80, 2, 0x63, 0x61, 0x0a, 0x62, 0x0a, 0x4e, 0x81, 0x2e], "NEWOBJ arguments are a None, not a tuple (byte 8)"),
        ([0x80, 2, 0x4e, 0x4e, 0x93, 0x2e], "STACK_GLOBAL needs two strings, got None and None (byte 4)"),
        ([0x80, 2, 0x71, 0, 0x2e], "BINPUT with an empty stack (byte 2)"),
    ] as [([UInt8], String)])
    func refusesWithAPreciseReason(bytes: [UInt8], message: String) {
        let error = #expect(throws: PickleError.self) { try PickleMachine.load(bytes) }
        #expect(error?.description == message)
    }

    @Test func boundsTheNestingOfValues() {
        let tuples: [UInt8] = [0x80, 2, 0x29] + [UInt8](repeating: 0x85, count: 600) + [0x2e]
        #expect(throws: PickleError(detail: "values nest deeper than 512 levels", offset: 2 + 512)) {
            try PickleMachine.load(tuples)
        }
        // Lists nested by appending each to the one below it.
        let lists: [UInt8] = [0x80, 2] + [UInt8](repeating: 0x5d, count: 600) + [UInt8](repeating: 0x61, count: 599) + [0x2e]
        let error = #expect(throws: PickleError.self) { try PickleMachine.load(lists) }
        #expect(error?.detail == "values nest deeper than 512 levels")
    }

    @Test func boundsTheStackTheMarksAndTheMemo() {
        let limits = PickleMachine.Limits(stack: 100, memo: 3)
        #expect(throws: PickleError(detail: "more than 100 values on the stack", offset: 102)) {
            try PickleMachine.load([0x80, 2] + [UInt8](repeating: 0x4e, count: 101) + [0x2e], limits: limits)
        }
        #expect(throws: PickleError(detail: "more than 100 open MARKs", offset: 102)) {
            try PickleMachine.load([0x80, 2] + [UInt8](repeating: 0x28, count: 101) + [0x2e], limits: limits)
        }
        let memoized: [UInt8] = [0x80, 2, 0x4e, 0x71, 0, 0x71, 1, 0x71, 2, 0x71, 1, 0x71, 3, 0x2e]
        #expect(throws: PickleError(detail: "more than 3 memo entries", offset: 11)) {
            try PickleMachine.load(memoized, limits: limits)
        }
    }

    /// Cut and corrupted copies of a real data.pkl: each one loads or fails with a
    /// PickleError (the only error `load` throws), none crashes.
    @Test func survivesDamagedTorchPickles() throws {
        let url = Fixtures.root.appendingPathComponent("torchscript/script-many-args/model/model.pt")
        let zip = try ZipArchive.read(try MappedFile(url, name: "model.pt")) { $0.path.hasSuffix("/data.pkl") }
        let original = try #require(zip.contents.values.first)
        _ = try PickleMachine.load(original)
        for length in 0..<original.count {
            _ = try? PickleMachine.load(Array(original.prefix(length)))
        }
        var random = SeededGenerator(state: 42)
        for _ in 0..<3000 {
            var damaged = original
            for _ in 0..<3 { damaged[Int(random.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: random.next()) }
            _ = try? PickleMachine.load(damaged)
        }
    }

    @Test func namesOpcodesAsPythonDoes() {
        #expect(PickleOpcode.stackGlobal.name == "STACK_GLOBAL")
        #expect(PickleOpcode.shortBinunicode.name == "SHORT_BINUNICODE")
        #expect(PickleOpcode.binunicode8.name == "BINUNICODE8")
        #expect(PickleOpcode.popMark.name == "POP_MARK")
        #expect(PickleOpcode.emptyDict.name == "EMPTY_DICT")
    }
}

/// A deterministic generator (SplitMix64), so a failure can be replayed.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
