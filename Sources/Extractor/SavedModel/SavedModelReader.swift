import ModelPackage
import Schemas

/// SavedModel: the MetaGraph tagged `serve`, its `serving_default` signature (else the
/// first by name that is not an init or train op); names are the signature keys.
enum SavedModelReader: FormatReader {
    static let format = Format.savedModel
    static let servingTag = "serve"
    static let defaultSignature = "serving_default"
    private static let internalSignatures: Set<String> = ["__saved_model_init_op", "__saved_model_train_op"]

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        try signature(of: MappedFile(files.url(files.primary), name: files.display(files.primary)), given: user)
    }

    /// The signature of a `saved_model.pb`'s bytes.
    static func signature(of file: MappedFile, given user: Signature?) throws -> Signature {
        let savedModel = try file.decodeMessage(Tensorflow_SavedModel.self, of: .savedModel, skipping: TensorFlowSkeleton.savedModel)
        guard !savedModel.metaGraphs.isEmpty else { throw file.malformed(.savedModel, "no MetaGraph") }
        // TensorFlow's loader matches the tag set exactly; a set that merely contains
        // `serve` (e.g. serve+gpu) is the fallback.
        let tagged = savedModel.metaGraphs.first { Set($0.metaInfoDef.tags) == [servingTag] }
            ?? savedModel.metaGraphs.first { $0.metaInfoDef.tags.contains(servingTag) }
        guard let metaGraph = tagged else {
            let tags = savedModel.metaGraphs.map { "[" + $0.metaInfoDef.tags.joined(separator: ",") + "]" }.joined(separator: " ")
            throw KleverError(.unsupportedModel, file: file.name, "no MetaGraph tagged '\(servingTag)' (tags: \(tags))")
        }
        let keys = metaGraph.signatureDef.keys.filter { !internalSignatures.contains($0) }.sorted()
        guard let key = keys.contains(defaultSignature) ? defaultSignature : keys.first,
              let signature = metaGraph.signatureDef[key]
        else {
            throw KleverError(.unsupportedModel, file: file.name, "the '\(servingTag)' MetaGraph has no signature to serve")
        }
        return Signature(
            inputs: tensors(signature.inputs),
            outputs: tensors(signature.outputs),
            layers: metaGraph.graphDef.opCounts
        ).filled(from: user)
    }

    private static func tensors(_ map: [String: Tensorflow_TensorInfo]) -> [TensorSpec] {
        map.sorted { $0.key < $1.key }.map { key, info in
            TensorSpec(
                name: key, size: (info.hasTensorShape ? info.tensorShape.dims : nil) ?? TensorSpec.unknownRank,
                dType: info.dtype.numpy?.rawValue, tensorName: info.name.isEmpty ? nil : info.name)
        }
    }
}
