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
        let parsed = try readPrototxt(text)
        let result = signature(of: try CaffeNet(parsed.net, file: text.name)).filled(from: user)
        if parsed.skippedUnknownFields { warnOfSkippedFields(in: text) }
        return result
    }

    /// A parsed prototxt, and whether it held fields the schema does not know (training
    /// settings such as `data_param`: klever needs none), which were skipped.
    package struct Prototxt {
        package let net: Caffe_NetParameter
        package let skippedUnknownFields: Bool
    }

    /// Parses a prototxt, skipping fields the schema does not know; the caller warns of
    /// them (``warnOfSkippedFields(in:)``) once the model proves usable, so a broken
    /// model gets one error line and no warning beside it.
    package static func readPrototxt(_ file: MappedFile) throws -> Prototxt {
        guard file.count <= maxPrototxtBytes else {
            throw KleverError(.malformedModel, file: file.name, "\(file.count) bytes is too large for a prototxt")
        }
        guard let text = String(validatingUTF8Bytes: file.bytes) else {
            throw file.malformed(.caffeModel, "a prototxt must be UTF-8 text")
        }
        do {
            return Prototxt(net: try Caffe_NetParameter(textFormatString: text), skippedUnknownFields: false)
        } catch TextFormatDecodingError.unknownField {
            var options = TextFormatDecodingOptions()
            options.ignoreUnknownFields = true
            do {
                return Prototxt(net: try Caffe_NetParameter(textFormatString: text, options: options), skippedUnknownFields: true)
            } catch {
                throw file.malformed(.caffeModel, describe(error))
            }
        } catch {
            throw file.malformed(.caffeModel, describe(error))
        }
    }

    package static func warnOfSkippedFields(in file: MappedFile) {
        logger.warning("skipped fields klever's Caffe schema does not know (training settings, most often)", metadata: ["file": "\(file.name)"])
    }

    /// swift-protobuf's text format errors in words (they carry no position).
    private static func describe(_ error: any Error) -> String {
        let problem = switch error as? TextFormatDecodingError {
        case .malformedText?: "a syntax error"
        case .malformedNumber?: "a number that is malformed or out of its field's range"
        case .trailingGarbage?: "text after the end of the net"
        case .truncated?: "it ends inside a message"
        case .unrecognizedEnumValue?: "an enum value its field does not have"
        case .conflictingOneOf?: "two fields of one oneof"
        case .messageDepthLimit?: "messages nested too deep"
        case .invalidUTF8?: "a string that is not UTF-8"
        default: "\(error)"
        }
        return "prototxt (protobuf text format): \(problem)"
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
package enum CaffeSkeleton {
    package static let model: SkeletonRules = {
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
