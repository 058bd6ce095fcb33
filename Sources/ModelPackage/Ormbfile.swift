import Foundation
import Yams

/// `ormbfile.yaml`: the package's metadata.
///
/// The document is kept as a YAML node tree so that every key klever does not own
/// survives a read-modify-write unchanged. Extraction owns `signature.inputs`,
/// `signature.outputs` and `signature.layers`; conversion writes a new file.
public struct Ormbfile {
    /// The file name inside a package.
    public static let fileName = "ormbfile.yaml"

    private var root: Node.Mapping
    /// How errors name this file.
    public let file: String

    /// An empty ormbfile (for a new package).
    public init(file: String = Ormbfile.fileName) {
        self.root = Node.Mapping([])
        self.file = file
    }

    /// Parses YAML text; `file` names the source in errors.
    public init(yaml: String, file: String) throws {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw KleverError(.invalidOrmbfile, file: file, "not valid YAML: \(Self.describe(error))")
        } catch {
            throw KleverError(.invalidOrmbfile, file: file, "not valid YAML: \(error)")
        }
        switch node {
        case .none: root = Node.Mapping([])
        case .mapping(let mapping)?: root = mapping
        case .some: throw KleverError(.invalidOrmbfile, file: file, "the document is not a mapping of keys")
        }
    }

    /// Reads `ormbfile.yaml` from a file.
    public init(contentsOf url: URL, file: String? = nil) throws {
        let name = file ?? url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KleverError(.invalidPackage, file: name, "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw KleverError(.invalidOrmbfile, file: name, "not UTF-8 text")
        }
        try self.init(yaml: text, file: name)
    }

    // MARK: Keys

    /// The `format` key as written.
    public var formatName: String? { string("format") }

    /// The `format` key as a known format; an unknown name is an error.
    public func format() throws -> Format? {
        guard let name = formatName else { return nil }
        guard let format = Format(name: name) else {
            let known = Format.allCases.map(\.rawValue).joined(separator: ", ")
            throw KleverError(.invalidOrmbfile, file: file, "unknown format '\(name)' (known: \(known))")
        }
        return format
    }

    public var author: String? { string("author") }

    /// A top-level string value.
    public func string(_ key: String) -> String? { root[key]?.string }

    /// Sets or removes a top-level string value, keeping the key's position.
    public mutating func set(_ key: String, _ value: String?) {
        root[key] = value.map { Node($0, Tag(.str), .doubleQuoted) }
    }

    /// The signature written in the file (the user's, or a previous extraction's).
    public func signature() throws -> Signature? {
        guard let node = root["signature"] else { return nil }
        guard case .mapping(let mapping) = node else {
            throw KleverError(.invalidOrmbfile, file: file, "signature: not a mapping")
        }
        return Signature(
            inputs: try tensors(mapping["inputs"], at: "signature.inputs"),
            outputs: try tensors(mapping["outputs"], at: "signature.outputs"),
            layers: try layers(mapping["layers"])
        )
    }

    /// Replaces `signature.inputs`, `signature.outputs` and `signature.layers`, keeping
    /// any other key under `signature`.
    public mutating func setSignature(_ signature: Signature) {
        var mapping: Node.Mapping
        if case .mapping(let existing)? = root["signature"] { mapping = existing } else { mapping = Node.Mapping([]) }
        mapping["inputs"] = Node(signature.inputs.map(Self.node(for:)))
        mapping["outputs"] = Node(signature.outputs.map(Self.node(for:)))
        mapping["layers"] = Node(signature.layers.sorted { $0.key < $1.key }.map { (Node($0.key), Node(String($0.value), Tag(.int))) })
        root["signature"] = .mapping(mapping)
    }

    // MARK: Writing

    /// The document as YAML text.
    public func yaml() throws -> String {
        do {
            return try Yams.serialize(node: .mapping(root), indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw KleverError(.save, file: file, "cannot write YAML: \(error)")
        }
    }

    /// The document as a JSON-compatible value tree (the OCI config blob).
    public func jsonObject() -> [String: Any] {
        (Self.json(.mapping(root)) as? [String: Any]) ?? [:]
    }

    /// Writes the file atomically: a temporary file in the same folder, then a rename.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(try yaml().utf8), to: url)
    }
}

// MARK: - Node conversions

extension Ormbfile {
    private func tensors(_ node: Node?, at path: String) throws -> [TensorSpec] {
        guard let node else { return [] }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" { return [] }
        guard case .sequence(let items) = node else {
            throw KleverError(.invalidOrmbfile, file: file, "\(path): not a list of tensors")
        }
        return try items.enumerated().map { index, item in
            try tensor(item, at: "\(path)[\(index)]")
        }
    }

    private func tensor(_ node: Node, at path: String) throws -> TensorSpec {
        guard case .mapping(let fields) = node else {
            throw KleverError(.invalidOrmbfile, file: file, "\(path): not a mapping")
        }
        guard let name = fields["name"]?.string, !name.isEmpty else {
            throw KleverError(.invalidOrmbfile, file: file, "\(path): no name")
        }
        var size: [Int]?
        if let sizeNode = fields["size"], sizeNode.null == nil {
            guard case .sequence(let dims) = sizeNode else {
                throw KleverError(.invalidOrmbfile, file: file, "\(path).size: not a list of integers")
            }
            size = TensorSpec.bounded(size: try dims.map { dim in
                guard let value = dim.int else {
                    throw KleverError(.invalidOrmbfile, file: file, "\(path).size: '\(dim.string ?? "?")' is not an integer")
                }
                return value
            })
        }
        let values = fields["values"].flatMap { node -> [String]? in
            guard case .sequence(let items) = node else { return nil }
            return items.compactMap(\.string)
        }
        return TensorSpec(
            name: name, size: size,
            dType: (fields["dType"] ?? fields["dtype"])?.string,
            tensorName: fields["tensorName"]?.string,
            opType: fields["opType"]?.string,
            values: values
        )
    }

    private func layers(_ node: Node?) throws -> [String: Int] {
        guard let node, node.null == nil else { return [:] }
        guard case .mapping(let mapping) = node else {
            throw KleverError(.invalidOrmbfile, file: file, "signature.layers: not a mapping of type to count")
        }
        var layers: [String: Int] = [:]
        for (key, value) in mapping {
            guard let name = key.string, let count = value.int else {
                throw KleverError(.invalidOrmbfile, file: file, "signature.layers: '\(key.string ?? "?")' has no integer count")
            }
            layers[name] = count
        }
        return layers
    }

    private static func node(for tensor: TensorSpec) -> Node {
        var pairs: [(Node, Node)] = [(Node("name"), Node(tensor.name, Tag(.str), .doubleQuoted))]
        if let size = tensor.size {
            pairs.append((Node("size"), Node(size.map { Node(String($0), Tag(.int)) }, Tag(.seq), .flow)))
        }
        if let dType = tensor.dType { pairs.append((Node("dType"), Node(dType))) }
        if let tensorName = tensor.tensorName { pairs.append((Node("tensorName"), Node(tensorName, Tag(.str), .doubleQuoted))) }
        if let opType = tensor.opType { pairs.append((Node("opType"), Node(opType))) }
        if let values = tensor.values {
            pairs.append((Node("values"), Node(values.map { Node($0, Tag(.str), .doubleQuoted) }, Tag(.seq), .flow)))
        }
        return Node(pairs)
    }

    private static func json(_ node: Node) -> Any {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return NSNull()
            case Tag.Name.bool.rawValue: return node.bool ?? scalar.string
            case Tag.Name.int.rawValue: return node.int ?? scalar.string
            case Tag.Name.float.rawValue: return node.float ?? scalar.string
            default: return scalar.string
            }
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = json(value) }
            return object
        case .sequence(let items):
            return items.map(json)
        case .alias:
            return NSNull()
        }
    }

    private static func describe(_ error: YamlError) -> String {
        // YamlError's description spans several lines (it quotes the source); keep the first.
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "syntax error"
    }
}
