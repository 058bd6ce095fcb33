import ModelPackage

/// PMML: inputs are the top-level model's active MiningFields, described by their
/// DataFields (`dType` the PMML dataType as written, `opType`, categorical `values`,
/// `size` `[]`: one value per record); outputs are its target fields, then its Output
/// element's final fields; layers count the model elements (a MiningModel with its
/// segments' models).
enum PMMLReader: FormatReader {
    static let format = Format.pmml

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let name = files.display(files.primary)
        let document = try PMMLDocument(url: files.url(files.primary), name: name)
        return try signature(of: document, file: name).filled(from: user)
    }

    static func signature(of document: PMMLDocument, file: String) throws -> Signature {
        var inputs: [TensorSpec] = []
        var targets: [TensorSpec] = []
        for field in document.miningFields {
            switch field.usageType {
            case "active": inputs.append(try tensor(field, document, file: file))
            case "target", "predicted": targets.append(try tensor(field, document, file: file))  // `predicted` is PMML 3's name
            default: continue  // supplementary, group, order, frequencyWeight, analysisWeight: not model inputs
            }
        }
        let outputs = document.outputFields.filter(\.isFinalResult).map { field in
            TensorSpec(name: field.name, size: [], dType: field.dataType ?? derivedType(field, document), opType: field.opType)
        }
        return Signature(inputs: inputs, outputs: targets + outputs, layers: document.models)
    }

    /// A mining field as its DataField describes it; the mining field's optype wins.
    private static func tensor(_ field: PMMLDocument.MiningField, _ document: PMMLDocument, file: String) throws -> TensorSpec {
        guard let data = document.dataFields[field.name] else {
            throw KleverError(.malformedModel, file: file, "the \(document.modelType ?? "model")'s MiningField '\(field.name)' names no DataField")
        }
        let opType = field.opType ?? data.opType
        let categorical = opType == "categorical" || opType == "ordinal"
        return TensorSpec(
            name: field.name, size: [], dType: data.dataType, opType: opType,
            values: categorical && !data.values.isEmpty ? data.values : nil)
    }

    /// The dataType of an OutputField that does not write one (optional before PMML
    /// 4.3), as pypmml (PMML4S) derives it: a predicted value has the target's type (an
    /// integer target predicts a double), scores are doubles, ids and labels strings.
    private static func derivedType(_ field: PMMLDocument.OutputField, _ document: PMMLDocument) -> String? {
        switch field.feature {
        case "predictedValue":
            guard let target = field.targetField ?? field.modelTarget else { return "string" }
            let type = document.dataFields[target]?.dataType
            return type == "integer" ? "double" : type
        case "probability", "affinity", "standardError", "clusterAffinity", "entityAffinity", "confidence":
            return "double"
        case "predictedDisplayValue", "clusterId", "entityId":
            return "string"
        default:
            return nil
        }
    }
}
