import Extractor
import Foundation
import ModelPackage
import Schemas
import Testing
import TestSupport
@testable import Converter

/// The blobs of a caffemodel, located in the map rather than decoded: every way protobuf
/// may lay out `data` and `double_data` reads back the same numbers.
@Suite struct CaffeWeightsTests {
    /// A caffemodel of one layer `conv` (current `layer`, or legacy `layers`) whose one
    /// blob of shape [2, 2] is `blob` (BlobProto bytes).
    private func caffemodel(blob: [UInt8], legacy: Bool = false) -> MappedFile {
        let name = Array("conv".utf8)
        let layer = legacy
            ? field(4, name) + field(6, blob)  // V1LayerParameter: name 4, blobs 6
            : field(1, name) + field(7, blob)  // LayerParameter: name 1, blobs 7
        return MappedFile(bytes: field(legacy ? 2 : 100, layer), name: "model.caffemodel")
    }

    private func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        StreamedMessage.varint(UInt64(number << 3 | 2)) + StreamedMessage.varint(UInt64(payload.count)) + payload
    }

    private let shape = try! Caffe_BlobShape.with { $0.dim = [2, 2] }.serializedBytes() as [UInt8]
    private let numbers: [Float] = [1.5, -2, 3.25, 1e-3]

    /// What `write(to:)` puts in a file.
    @Test(arguments: [false, true])
    func packedFloats(legacy: Bool) throws {
        let blob = try Caffe_BlobProto.with { $0.shape = .with { $0.dim = [2, 2] }; $0.data = numbers }.serializedBytes() as [UInt8]
        let weights = try CaffeWeights(caffemodel(blob: blob, legacy: legacy))
        let read = try weights.blob("conv", 0)
        #expect(read.dims == [2, 2] && read.count == 4)
        #expect(read.values() == numbers)
        #expect(try writtenFloats(read.write) == numbers)
    }

    /// Each float a fixed32 field of its own, as a writer without packing lays them.
    @Test func unpackedFloats() throws {
        var blob = field(7, shape)
        for number in numbers { blob += [5 << 3 | 5] + withUnsafeBytes(of: number.bitPattern.littleEndian, Array.init) }
        let read = try CaffeWeights(caffemodel(blob: blob)).blob("conv", 0)
        #expect(read.values() == numbers)
        #expect(try writtenFloats(read.write) == numbers)
    }

    /// `double_data`, read when `data` is empty, becomes float32.
    @Test func doublesBecomeFloats() throws {
        let blob = try Caffe_BlobProto.with { $0.shape = .with { $0.dim = [2, 2] }; $0.doubleData = numbers.map(Double.init) }.serializedBytes() as [UInt8]
        let read = try CaffeWeights(caffemodel(blob: blob)).blob("conv", 0)
        #expect(read.values() == numbers)
        #expect(try writtenFloats(read.write) == numbers)
    }

    @Test func valuesThatDoNotFitTheShapeAreRefused() throws {
        let blob = try Caffe_BlobProto.with { $0.shape = .with { $0.dim = [2, 3] }; $0.data = numbers }.serializedBytes() as [UInt8]
        let error = #expect(throws: KleverError.self) { try CaffeWeights(caffemodel(blob: blob)) }
        #expect(error?.detail.contains("layer 'conv' blob 0: shape [2, 3] but 4 values") == true, "\(String(describing: error))")
    }

    @Test func valuesEndingInsideANumberAreRefused() throws {
        let blob = field(7, shape) + field(5, Array(repeating: 0, count: 15))
        let error = #expect(throws: KleverError.self) { try CaffeWeights(caffemodel(blob: blob)) }
        #expect(error?.detail.contains("a blob's values end inside a number") == true, "\(String(describing: error))")
    }
}
