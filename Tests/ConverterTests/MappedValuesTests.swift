import Extractor
import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport
@testable import Converter

/// Repeated numbers read where they lie in a mapped model, however protobuf laid
/// them out: the same float32 values in memory and in the written file.
@Suite struct MappedValuesTests {
    private let numbers: [Float] = [1.5, -2, 3.25, 1e-3, 0, 7]

    /// The numbers of field 5 of a message, found by a wire walk.
    private func located(_ message: [UInt8], width: Int = 4) throws -> MappedValues {
        let file = MappedFile(bytes: message, name: "model.pb")
        var values = MappedValues(in: file, width: width)
        var scanner = WireScanner(file.bytes)
        while let field = try scanner.next() { if field.number == 5 { try values.append(field) } }
        return values
    }

    /// proto2's default: a fixed32 field per number (Caffe2's Argument.floats).
    @Test func unpackedFloats() throws {
        let message = try Caffe2_Argument.with { $0.floats = numbers }.serializedBytes() as [UInt8]
        #expect(message.count == numbers.count * 5, "not unpacked")
        let values = try located(message)
        #expect(values.count == numbers.count)
        #expect(values.values() == numbers)
        #expect(try writtenFloats(values.write) == numbers)
    }

    /// A packed run, then single fields: protobuf allows them mixed in one message.
    @Test func packedThenUnpacked() throws {
        let packed = numbers.prefix(3).flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        var message: [UInt8] = [5 << 3 | 2, UInt8(packed.count)] + packed
        for number in numbers.suffix(3) { message += [5 << 3 | 5] + withUnsafeBytes(of: number.bitPattern.littleEndian, Array.init) }
        let values = try located(message)
        #expect(values.values() == numbers)
        #expect(try writtenFloats(values.write) == numbers)
    }

    @Test func doublesBecomeFloat32() throws {
        let packed = numbers.flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) }
        let values = try located([5 << 3 | 2, UInt8(packed.count)] + packed, width: 8)
        #expect(values.values() == numbers)
        #expect(try writtenFloats(values.write) == numbers)
    }

    @Test func aPackedPayloadEndingInsideANumberIsRefused() {
        #expect(throws: MappedValuesError.self) { try located([5 << 3 | 2, 6, 0, 0, 0, 0, 0, 0]) }
    }

    /// init_net's GivenTensorFill values stay in the map, located, not decoded.
    @Test func aGivenTensorFillIsLocatedInInitNet() throws {
        let initNet = Caffe2_NetDef.with {
            $0.op = [.with {
                $0.type = "GivenTensorFill"
                $0.output = ["w"]
                $0.arg = [.with { $0.name = "shape"; $0.ints = [2, 3] }, .with { $0.name = "values"; $0.floats = numbers }]
            }]
        }
        let file = MappedFile(bytes: try initNet.serializedBytes() as [UInt8], name: "init_net.pb")
        let constant = try #require(try Caffe2Constant.constants(of: NetDefReader.readInitNet(file), in: file)["w"])
        #expect(constant.dims == [2, 3] && constant.count == 6)
        guard case .mapped(let values) = constant.values else { Issue.record("decoded, not located"); return }
        #expect(values.values() == numbers)
    }
}
