import Extractor
import ModelPackage
import Schemas

/// The learned blobs of a `.caffemodel`, by layer name.
struct CaffeWeights {
    private var blobs: [String: [Caffe_BlobProto]] = [:]
    let file: String

    init(_ model: Caffe_NetParameter, file: String) {
        self.file = file
        for layer in model.layer where !layer.blobs.isEmpty { blobs[layer.name] = layer.blobs }
        for layer in model.layers where !layer.blobs.isEmpty { blobs[layer.name] = layer.blobs }
    }

    /// Blob `index` of a layer as float32 values with its dims, checked for size.
    func blob(_ layer: String, _ index: Int) throws -> (dims: [Int], values: [Float]) {
        guard let layerBlobs = blobs[layer], index < layerBlobs.count else {
            throw KleverError(.malformedModel, file: file, "layer '\(layer)' has no learned blob \(index) (prototxt and caffemodel do not match?)")
        }
        let blob = layerBlobs[index]
        let values = blob.data.isEmpty ? blob.doubleData.map { Float($0) } : blob.data
        let dims = blob.hasShape
            ? blob.shape.dim.map { Int(clamping: $0) }
            : [blob.num, blob.channels, blob.height, blob.width].map(Int.init)
        guard InferredTensor(dType: nil, shape: dims).elementCount == values.count else {
            throw KleverError(.malformedModel, file: file, "layer '\(layer)' blob \(index): shape \(dims) but \(values.count) values")
        }
        return (dims, values)
    }

    func has(_ layer: String, _ index: Int) -> Bool { (blobs[layer]?.count ?? 0) > index }
}
