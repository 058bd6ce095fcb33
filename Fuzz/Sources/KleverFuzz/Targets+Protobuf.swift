import ModelPackage
import Schemas
@testable import Converter
@testable import Extractor

extension FuzzTarget {
    /// The binary protobuf formats: skeleton copy, decoding, then what extraction and
    /// conversion do with the message.
    static let protobufTargets: [FuzzTarget] = [
        FuzzTarget(name: "onnx", fileName: "model/model.onnx") { file in
            _ = try ONNXReader.signature(of: ONNXReader.readModel(file), file: file.name)
        },
        FuzzTarget(name: "savedmodel", fileName: "model/saved_model.pb") { file in
            _ = try SavedModelReader.signature(of: file, given: nil)
        },
        FuzzTarget(name: "graphdef", fileName: "model/model.graphdef") { file in
            _ = try GraphDefReader.signature(of: file, given: nil)
        },
        FuzzTarget(name: "netdef", fileName: "model/predict_net.pb") { file in
            let (initFile, predictFile) = NetDefInput.split(file)
            _ = try NetDefReader.signature(initFile: initFile, predictFile: predictFile, user: nil)
            _ = try Caffe2Constant.constants(of: NetDefReader.readInitNet(initFile), in: initFile)
        },
        FuzzTarget(name: "caffe-binary", fileName: "model/model.caffemodel") { file in
            let model = try file.decodeMessage(Caffe_NetParameter.self, of: .caffeModel, skipping: CaffeSkeleton.model)
            let weights = try CaffeWeights(file)
            for layer in model.layer { for index in layer.blobs.indices { _ = try weights.blob(layer.name, index).values() } }
            for layer in model.layers { for index in layer.blobs.indices { _ = try weights.blob(layer.name, index).values() } }
        },
    ]
}

/// One fuzz input holding both nets of a NetDef package: a little-endian uint32, the
/// length of init_net, then init_net's bytes, then predict_net's (`build/fuzz` makes
/// its seeds so; a length past the end gives init_net all that is left).
enum NetDefInput {
    static func split(_ file: MappedFile) -> (initNet: MappedFile, predictNet: MappedFile) {
        let bytes = file.bytes
        guard bytes.count >= 4 else {
            return (MappedFile(bytes: [], name: "model/init_net.pb"), MappedFile(bytes: bytes, name: "model/predict_net.pb"))
        }
        let length = min(Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))), bytes.count - 4)
        return (
            MappedFile(bytes: bytes[4..<4 + length], name: "model/init_net.pb"),
            MappedFile(bytes: bytes[(4 + length)...], name: "model/predict_net.pb")
        )
    }
}
