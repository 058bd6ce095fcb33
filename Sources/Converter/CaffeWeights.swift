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
            throw model.malformed(.caffeModel, error)
        } catch is MappedValuesError {
            throw model.malformed(.caffeModel, "a blob's values end inside a number")
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

    /// Where a blob's values lie: its `data` (float) and `double_data` fields.
    fileprivate struct Places {
        var floats: MappedValues
        var doubles: MappedValues
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
                var place = Places(floats: MappedValues(in: model, width: 4), doubles: MappedValues(in: model, width: 8))
                var values = WireScanner(model.bytes, range: blob.payload)
                while let value = try values.next() {
                    switch (value.number, value.type) {
                    case (5, .lengthDelimited), (5, .fixed32): try place.floats.append(value)
                    case (8, .lengthDelimited), (8, .fixed64): try place.doubles.append(value)
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

/// One learned blob: its dims, and its values where they lie in the map.
struct CaffeBlob {
    let dims: [Int]
    /// float32 values, or float64 ones, which Caffe reads when `data` is empty.
    private let stored: MappedValues

    var count: Int { stored.count }

    fileprivate init(_ proto: Caffe_BlobProto, _ places: CaffeWeights.Places, file: MappedFile, what: String) throws {
        dims = proto.hasShape
            ? proto.shape.dim.map { Int(clamping: $0) }
            : [proto.num, proto.channels, proto.height, proto.width].map(Int.init)
        stored = places.floats.isEmpty ? places.doubles : places.floats
        guard InferredTensor(dType: nil, shape: dims).elementCount == stored.count else {
            throw KleverError(.malformedModel, file: file.name, "\(what): shape \(dims) but \(stored.count) values")
        }
    }

    /// The values in memory: for the small blobs a translation computes with.
    func values() -> [Float] { stored.values() }

    /// Writes the values as little-endian float32, `count * 4` bytes, from the map.
    func write(to writer: BufferedFileWriter) throws { try stored.write(to: writer) }
}
