/// Streams a PMML document through ``XMLStream`` (libxml2's SAX2 parser: no tree is
/// built) and keeps only what ``PMMLDocument`` holds; reading stops where the top-level
/// model ends.
///
/// Elements are matched by local name, so any PMML namespace (or none, or a prefix)
/// reads the same. External entities are never resolved, nesting is bounded, and the
/// first XML error decides the outcome.
final class PMMLParser: XMLStreamHandler {
    struct Failure: Error {
        let detail: String
    }

    /// Deeper than any real PMML (a decision tree nests one `Node` per level).
    static let maxDepth = 4096

    /// A model element being read: the top-level model or a segment's model.
    private struct Model {
        let depth: Int
        /// The first target of its MiningSchema.
        var target: String?
        /// Its own `Output`, nil when it has none.
        var output: [PMMLDocument.OutputField]?
        /// Whether its `Segmentation` is a `modelChain`.
        var chain = false
        /// What the last segment's model outputs.
        var lastSegmentOutput: [PMMLDocument.OutputField]?

        /// What the model outputs: its own Output, or a chain's last model's.
        var effectiveOutput: [PMMLDocument.OutputField]? { output ?? (chain ? lastSegmentOutput : nil) }
    }

    private let stream: XMLStream
    private var document = PMMLDocument()
    /// The local names of the open elements, the root first.
    private var open: [String] = []
    /// The open model elements, the top-level model first.
    private var models: [Model] = []
    /// The DataField being read, with its depth.
    private var dataField: (field: PMMLDocument.DataField, depth: Int)?
    private var modelEnded = false
    /// Why reading stopped early, when it was not an XML error.
    private var failure: Failure?
    /// The first XML error: libxml2's code, where it was found, and whether the input's
    /// end raised it (the document was cut short).
    private var xmlError: (code: Int, line: Int, column: Int, atEnd: Bool)?

    init(_ file: MappedFile) {
        stream = XMLStream(file)
    }

    func run() -> Result<PMMLDocument, Failure> {
        let problem = stream.parse(self)  // the rest of the outcome is in what the callbacks recorded
        if let failure { return .failure(failure) }
        if modelEnded { return .success(document) }
        // An XML error comes from bytes before those the check held back.
        if let problem, xmlError == nil { return .failure(Failure(detail: problem)) }
        if let xmlError {
            if Self.conversionErrors.contains(xmlError.code) {
                // libxml2 converts the text in chunks, so it has no exact position.
                return .failure(Failure(detail: "the text is not valid in the encoding its XML declaration names"))
            }
            if xmlError.atEnd, let root = open.first {
                // The section under <PMML> (libxml2 reports a tag cut in half as an element).
                let section = open.count > 1 ? open[1] : root
                return .failure(Failure(detail: "truncated: the document ends at line \(xmlError.line), inside <\(section)>"))
            }
            return .failure(Failure(detail: "not well-formed XML at line \(xmlError.line), column \(xmlError.column): \(Self.describe(xmlError.code))"))
        }
        return .failure(Failure(detail: "the document holds no model (no TreeModel, RegressionModel, MiningModel or other model element under <PMML>)"))
    }

    private func stop(_ detail: String) {
        failure = Failure(detail: detail)
        stream.stop()
    }

    // MARK: XMLStreamHandler

    func startElement(_ name: String, attributes: XMLAttributes) {
        guard failure == nil, !modelEnded else { return }
        open.append(name)
        let depth = open.count
        guard depth <= Self.maxDepth else { return stop("elements nest deeper than \(Self.maxDepth) levels") }
        if xmlError != nil { return }  // only the nesting is followed after an error
        if depth == 1, name != "PMML" { return stop("the root element is <\(name)>, not <PMML>") }
        let parent = depth >= 2 ? open[depth - 2] : ""

        if models.isEmpty ? depth == 2 : parent == "Segment", PMMLDocument.modelElements.contains(name) {
            if models.isEmpty { document.modelType = name }
            document.models[name, default: 0] += 1
            models.append(Model(depth: depth))
            return
        }
        // The model this element belongs to, and how deep below it the element is.
        guard let model = models.last else {
            if name == "DataField", depth == 3, parent == "DataDictionary" { startDataField(attributes, depth: depth) }
            if name == "Value", let current = dataField, current.depth == depth - 1 { addValue(attributes) }
            return
        }
        switch (name, depth - model.depth) {
        case ("Segmentation", 1):
            models[models.count - 1].chain = attributes["multipleModelMethod"] == "modelChain"
        case ("Output", 1):
            models[models.count - 1].output = []
        case ("MiningField", 2) where parent == "MiningSchema":
            guard let fieldName = attributes["name"] else { return stop("a MiningField of the \(document.modelType ?? "model") has no name") }
            let usageType = attributes["usageType"] ?? "active"
            // `predicted` is PMML 3's name for a target.
            if model.target == nil, usageType == "target" || usageType == "predicted" { models[models.count - 1].target = fieldName }
            if models.count == 1 {
                document.miningFields.append(PMMLDocument.MiningField(name: fieldName, usageType: usageType, opType: attributes["optype"]))
            }
        case ("OutputField", 2) where parent == "Output":
            guard let fieldName = attributes["name"] else { return stop("an OutputField of the \(document.modelType ?? "model") has no name") }
            models[models.count - 1].output?.append(PMMLDocument.OutputField(
                name: fieldName, opType: attributes["optype"], dataType: attributes["dataType"],
                feature: attributes["feature"] ?? "predictedValue", targetField: attributes["targetField"],
                modelTarget: model.target, isFinalResult: !["false", "0"].contains(attributes["isFinalResult"] ?? "true")))
        default:
            break
        }
    }

    func endElement(_ name: String) {
        guard failure == nil, !modelEnded, !open.isEmpty else { return }
        let depth = open.count
        open.removeLast()
        if xmlError != nil { return }
        if let current = dataField, current.depth == depth {
            document.dataFields[current.field.name] = current.field
            dataField = nil
        }
        guard let model = models.last, model.depth == depth else { return }
        models.removeLast()
        if models.isEmpty {
            document.outputFields = model.effectiveOutput ?? []
            // Everything klever reads is in the top-level model and what precedes it.
            modelEnded = true
            stream.stop()
        } else {
            models[models.count - 1].lastSegmentOutput = model.effectiveOutput
        }
    }

    func xmlError(code: Int, line: Int, column: Int, atEnd: Bool) {
        guard failure == nil, !modelEnded, xmlError == nil else { return }
        xmlError = (code, line, column, atEnd)
    }

    private func startDataField(_ attributes: XMLAttributes, depth: Int) {
        guard let name = attributes["name"] else { return stop("a DataField has no name") }
        dataField = (PMMLDocument.DataField(name: name, opType: attributes["optype"], dataType: attributes["dataType"], values: []), depth)
    }

    /// Values marked `invalid` or `missing` are what the field does not take.
    private func addValue(_ attributes: XMLAttributes) {
        guard let value = attributes["value"], (attributes["property"] ?? "valid") == "valid" else { return }
        dataField?.field.values.append(value)
    }

    /// libxml2's XML_I18N_* codes: the declared encoding's converter failed.
    private static let conversionErrors = 6000...6004

    /// libxml2's words for the errors a broken or hostile document gives (xmlerror.h).
    private static func describe(_ code: Int) -> String {
        switch code {
        case 4: "no XML element"
        case 5: "extra content at the end of the document"
        case 9: "a character that XML does not allow"
        case 26: "an undeclared entity"
        case 29: "an external entity (klever never loads them)"
        case 31, 32: "an unknown or unsupported encoding"
        case 41: "an attribute without a value"
        case 42: "an attribute given twice"
        case 68: "a name is missing"
        case 73: "'>' expected"
        case 76: "an end tag does not match its start tag"
        case 77: "an unfinished tag"
        case 89, 110: "entity expansion beyond libxml2's limits"
        default: "libxml2 error \(code)"
        }
    }
}
