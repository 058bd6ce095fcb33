import Extractor
import ModelPackage
import Schemas

/// The learned blobs of a mapped `.caffemodel`, by layer name. Only their shapes are
/// decoded; their values stay in the map, located by a walk of the wire format, until
/// they are written (``CaffeBlob/write(to:)``) or, for the few small blobs a
/// translation computes with, read (``CaffeBlob/values()``).
struct CaffeWeights {
    private var blobs: [String: [CaffeBlob]] = [:]
    let file: String

    init(_ model: MappedFile) throws {
        file = model.name
        // The shapes, and a check of the whole file, from a decode without the payloads.
        let skeleton = try model.decodeMessage(Caffe_NetParameter.self, of: .caffeModel, skipping: CaffeSkeleton.model)
        // The payloads' places, from the same layers and blobs in the same order.
        do {
            let located = try Self.payloads(of: model)
            let layers = skeleton.layer.map { ($0.name, $0.blobs) } + skeleton.layers.map { ($0.name, $0.blobs) }
            for ((name, protos), places) in zip(layers, located.current + located.legacy) where !protos.isEmpty {
                var layerBlobs: [CaffeBlob] = []
                for (index, (proto, place)) in zip(protos, places).enumerated() {
                    layerBlobs.append(try CaffeBlob(proto, place, file: model, what: "layer '\(name)' blob \(index)"))
                }
                blobs[name] = layerBlobs
            }
        } catch let error as WireError {
            throw model.malformed(.caffeModel, "\(error.detail) (byte \(error.offset))")
        }
    }

    /// Blob `index` of a layer, checked for size.
    func blob(_ layer: String, _ index: Int) throws -> CaffeBlob {
        guard let layerBlobs = blobs[layer], index < layerBlobs.count else {
            throw KleverError(.malformedModel, file: file, "layer '\(layer)' has no learned blob \(index) (prototxt and caffemodel do not match?)")
        }
        return layerBlobs[index]
    }

    func has(_ layer: String, _ index: Int) -> Bool { (blobs[layer]?.count ?? 0) > index }

    /// Where a blob's values lie: the payloads of its `data` (float) and `double_data`
    /// fields, packed or not (a fixed-width field is its own 4 or 8 bytes).
    fileprivate struct Places {
        var floats: [Range<Int>] = []
        var doubles: [Range<Int>] = []
    }

    /// The blob places of every layer, `layer` (field 100) and legacy `layers` (field 2)
    /// apart, in file order.
    private static func payloads(of model: MappedFile) throws -> (current: [[Places]], legacy: [[Places]]) {
        var current: [[Places]] = [], legacy: [[Places]] = []
        var net = WireScanner(model.bytes)
        while let layer = try net.next() {
            guard layer.type == .lengthDelimited, layer.number == 100 || layer.number == 2 else { continue }
            // LayerParameter.blobs is field 7, V1LayerParameter.blobs field 6.
            let blobsField = layer.number == 100 ? 7 : 6
            var places: [Places] = []
            var fields = WireScanner(model.bytes, range: layer.payload)
            while let blob = try fields.next() {
                guard blob.number == blobsField, blob.type == .lengthDelimited else { continue }
                var place = Places()
                var values = WireScanner(model.bytes, range: blob.payload)
                while let value = try values.next() {
                    switch (value.number, value.type) {
                    case (5, .lengthDelimited), (5, .fixed32): place.floats.append(value.payload)
                    case (8, .lengthDelimited), (8, .fixed64): place.doubles.append(value.payload)
                    default: continue
                    }
                }
                places.append(place)
            }
            if layer.number == 100 { current.append(places) } else { legacy.append(places) }
        }
        return (current, legacy)
    }
}

/// One learned blob: its dims, and its float32 values where they lie in the map.
struct CaffeBlob {
    let dims: [Int]
    let count: Int
    private let file: MappedFile
    private let floats: [Range<Int>]
    /// float64 values, which Caffe reads when `data` is empty.
    private let doubles: [Range<Int>]

    fileprivate init(_ proto: Caffe_BlobProto, _ places: CaffeWeights.Places, file: MappedFile, what: String) throws {
        self.file = file
        dims = proto.hasShape
            ? proto.shape.dim.map { Int(clamping: $0) }
            : [proto.num, proto.channels, proto.height, proto.width].map(Int.init)
        let floatBytes = places.floats.reduce(0) { $0 + $1.count }
        floats = floatBytes > 0 ? places.floats : []
        doubles = floatBytes > 0 ? [] : places.doubles
        let doubleBytes = doubles.reduce(0) { $0 + $1.count }
        guard floatBytes % 4 == 0, doubleBytes % 8 == 0 else {
            throw KleverError(.malformedModel, file: file.name, "\(what): its values end inside a number")
        }
        count = floatBytes > 0 ? floatBytes / 4 : doubleBytes / 8
        guard InferredTensor(dType: nil, shape: dims).elementCount == count else {
            throw KleverError(.malformedModel, file: file.name, "\(what): shape \(dims) but \(count) values")
        }
    }

    /// The values in memory: for the small blobs a translation computes with.
    func values() -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        for range in floats {
            values += UnsafeRawBufferPointer(rebasing: file.bytes[range]).loadUnalignedArray(of: Float.self)
        }
        for range in doubles {
            values += UnsafeRawBufferPointer(rebasing: file.bytes[range]).loadUnalignedArray(of: Double.self).map { Float($0) }
        }
        return values
    }

    /// Writes the values as little-endian float32, `count * 4` bytes, from the map.
    func write(to writer: BufferedFileWriter) throws {
        for range in floats { try writer.copy(range, of: file) }
        // float64 becomes float32 a chunk at a time.
        let chunk = 32_768 * 8
        for range in doubles {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
                let part = start..<min(start + chunk, range.upperBound)
                let values = UnsafeRawBufferPointer(rebasing: file.bytes[part]).loadUnalignedArray(of: Double.self).map { Float($0) }
                try values.withUnsafeBytes { try writer.write($0) }
                file.releasePages(part)
            }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The buffer's bytes as little-endian numbers, whatever their alignment.
    fileprivate func loadUnalignedArray<T: BitwiseCopyable>(of type: T.Type) -> [T] {
        (0..<count / MemoryLayout<T>.size).map { loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
    }
}
