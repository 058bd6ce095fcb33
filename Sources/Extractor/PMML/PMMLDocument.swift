import Foundation
import ModelPackage

/// What klever reads of a PMML document (3.x to 4.4): the data dictionary, the top-level
/// model's mining schema and output fields, and the model elements it is built of.
/// Everything else (trees, coefficients, statistics) is streamed past, never stored.
struct PMMLDocument: Sendable {
    /// A `DataField` of the `DataDictionary`.
    struct DataField: Sendable {
        let name: String
        let opType: String?
        let dataType: String?
        /// The `Value`s that are valid values (not those marked `invalid` or `missing`).
        var values: [String]
    }

    /// A `MiningField` of the top-level model's `MiningSchema`.
    struct MiningField: Sendable {
        let name: String
        /// `active` when not written.
        let usageType: String
        /// Overrides the DataField's optype where written.
        let opType: String?
    }

    /// An `OutputField` of the model's output (see ``outputFields``).
    struct OutputField: Sendable {
        let name: String
        let opType: String?
        let dataType: String?
        /// `predictedValue` when not written.
        let feature: String
        let targetField: String?
        /// The first target of the model whose `Output` this field is in.
        let modelTarget: String?
        /// False for intermediate results, which the model does not return.
        let isFinalResult: Bool
    }

    var dataFields: [String: DataField] = [:]
    /// The element name of the top-level model (`TreeModel`, `MiningModel`, ...).
    var modelType: String?
    var miningFields: [MiningField] = []
    /// The top-level model's `Output`; for a `modelChain` MiningModel without one, the
    /// last segment's model's (recursively), as the chain's result is that model's.
    var outputFields: [OutputField] = []
    /// Model element name -> how many: the top-level model and, for a MiningModel,
    /// every segment's model, recursively.
    var models: [String: Int] = [:]

    /// The model elements of PMML 3.0 to 4.4.
    static let modelElements: Set<String> = [
        "AnomalyDetectionModel", "AssociationModel", "BaselineModel", "BayesianNetworkModel", "ClusteringModel",
        "GaussianProcessModel", "GeneralRegressionModel", "MiningModel", "NaiveBayesModel", "NearestNeighborModel",
        "NeuralNetwork", "RegressionModel", "RuleSetModel", "Scorecard", "SequenceModel", "SupportVectorMachineModel",
        "TextModel", "TimeSeriesModel", "TreeModel",
    ]

    init() {}

    /// Reads a PMML file; `name` is how errors refer to it.
    init(url: URL, name: String) throws {
        try self.init(MappedFile(url, name: name))
    }

    /// Reads a PMML document from a file's bytes.
    init(_ file: MappedFile) throws {
        guard file.count > 0 else { throw file.malformed(.pmml, "empty file") }
        // libxml2 expands internal entities; refusing any declaration keeps entity
        // expansion attacks (billion laughs) out whatever the library's own limits.
        if Self.declaresEntities(file.bytes) {
            throw file.malformed(.pmml, "the document declares XML entities (a DOCTYPE with <!ENTITY>); PMML needs none and klever does not expand them")
        }
        let parser = PMMLParser(file)
        switch parser.run() {
        case .success(let document): self = document
        case .failure(let failure): throw file.malformed(.pmml, failure.detail)
        }
    }

    /// Whether the prolog (what comes before the root element) declares an entity.
    private static func declaresEntities(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let declaration = Array("<!ENTITY".utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            // The root element starts with `<` and a name; `<?`, `<!` are prolog.
            if next != UInt8(ascii: "?"), next != UInt8(ascii: "!") { return false }
            if bytes.count - index >= declaration.count, zip(bytes[index...], declaration).allSatisfy({ $0 == $1 }) { return true }
            index += 1
        }
        return false
    }
}
