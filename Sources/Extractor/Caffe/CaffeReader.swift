import Foundation
import Logging
import ModelPackage
import Schemas
import SwiftProtobuf

/// Caffe: the net as the `.prototxt` describes it for the TEST phase; inputs from
/// `input`/`input_shape`/`input_dim`/Input layers, outputs the tops no layer consumes,
/// shapes by Caffe's rules, layers the type counts of the built net. The `.caffemodel`
/// is checked to be a Caffe net, its weights never read.
package enum CaffeReader: FormatReader {
    package static let format = Format.caffeModel
    package static let caffemodel = RequiredFile("*.caffemodel")
    package static let prototxt = RequiredFile("*.prototxt")
    /// Larger text is no deploy prototxt (weights live in the caffemodel).
    static let maxPrototxtBytes = 64 << 20
    private static let logger = Logger(label: "klever.extract.caffe")

    package static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let weights = try MappedFile(files.url(caffemodel), name: files.display(caffemodel))
        _ = try weights.decodeMessage(Caffe_NetParameter.self, of: .caffeModel, skipping: CaffeSkeleton.model)
        let text = try MappedFile(files.url(prototxt), name: files.display(prototxt))
        let net = try CaffeNet(try readPrototxt(text), file: text.name)
        return signature(of: net).filled(from: user)
    }

    /// Parses a prototxt; fields the schema does not know are ignored with a warning.
    package static func readPrototxt(_ file: MappedFile) throws -> Caffe_NetParameter {
        guard file.count <= maxPrototxtBytes else {
            throw KleverError(.malformedModel, file: file.name, "\(file.count) bytes is too large for a prototxt")
        }
        guard let text = String(validatingUTF8Bytes: file.bytes) else {
            throw file.malformed(.caffeModel, "a prototxt must be UTF-8 text")
        }
        do {
            return try Caffe_NetParameter(textFormatString: text)
        } catch TextFormatDecodingError.unknownField {
            logger.warning("ignoring fields klever's Caffe schema does not know", metadata: ["file": "\(file.name)"])
            var options = TextFormatDecodingOptions()
            options.ignoreUnknownFields = true
            do {
                return try Caffe_NetParameter(textFormatString: text, options: options)
            } catch {
                throw file.malformed(.caffeModel, "prototxt: \(error)")
            }
        } catch {
            throw file.malformed(.caffeModel, "prototxt: \(error)")
        }
    }

    package static func signature(of net: CaffeNet) -> Signature {
        let shapes = CaffeShapeInference.run(net)
        var layers: [String: Int] = [:]
        for layer in net.layers { layers[layer.type, default: 0] += 1 }
        func spec(_ name: String) -> TensorSpec { TensorSpec(name: name, shape: shapes[name] ?? nil, dType: .float32) }
        return Signature(inputs: net.inputs.map { spec($0.name) }, outputs: net.outputs.map(spec), layers: layers)
    }
}

/// What of a caffemodel is payload: the blobs' data.
enum CaffeSkeleton {
    static let model: SkeletonRules = {
        let blob = SkeletonRules([5: .drop, 6: .drop, 8: .drop, 9: .drop])
        let layer = SkeletonRules([7: .descend(blob)])
        let legacyLayer = SkeletonRules([6: .descend(blob)])
        return SkeletonRules([100: .descend(layer), 2: .descend(legacyLayer)])
    }()
}

extension String {
    /// Text from bytes only when they are valid UTF-8.
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}
