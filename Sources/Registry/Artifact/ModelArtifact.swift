import Foundation
import ModelPackage
import Yams

/// The ormb artifact: an OCI manifest whose config blob is the ormbfile as JSON (plus
/// `directoryStructure`) and whose one layer is a gzip'd tar of `model/...`.
public enum ModelArtifact {
    /// Config blobs larger than this are refused when pulling.
    public static let configLimit: Int64 = 16 << 20

    /// The config blob: every key of the ormbfile, `directoryStructure` set to the
    /// layer's entries; compact JSON with sorted keys (the same package, the same bytes).
    public static func config(_ ormbfile: Ormbfile, entries: [String]) throws -> Data {
        var object = ormbfile.jsonObject()
        object["directoryStructure"] = entries
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw KleverError(.invalidOrmbfile, file: ormbfile.file, "cannot be written as JSON: \(error.localizedDescription)")
        }
    }

    /// The manifest of a config and a layer, as ormb writes it.
    public static func manifest(config: Descriptor, layer: Descriptor) -> Manifest {
        Manifest(config: config, layers: [layer])
    }

    /// Reads a fetched manifest and checks it has the ormb shape; returns the config
    /// and layer descriptors.
    public static func parts(of fetched: FetchedManifest, reference: String) throws -> (config: Descriptor, layer: Descriptor) {
        func notAModel(_ why: String) -> KleverError { KleverError(.pull, file: reference, "not an ormb model: \(why)") }
        if let type = fetched.mediaType, type == MediaType.ociIndex || type == MediaType.dockerManifestList {
            throw notAModel("it is an image index, not a manifest")
        }
        let manifest = try Manifest.decode(fetched.data, reference: reference)
        if let type = manifest.mediaType, type != MediaType.ociManifest, type != MediaType.dockerManifest {
            throw notAModel("unsupported manifest media type \(type)")
        }
        guard manifest.config.mediaType == MediaType.modelConfig else {
            throw notAModel("the config's media type is \(manifest.config.mediaType), not \(MediaType.modelConfig)")
        }
        guard manifest.layers.count == 1, let layer = manifest.layers.first, layer.mediaType == MediaType.modelLayer else {
            let types = manifest.layers.map(\.mediaType).joined(separator: ", ")
            throw notAModel("expected exactly one \(MediaType.modelLayer) layer, found [\(types)]")
        }
        guard (1...configLimit).contains(manifest.config.size) else {
            throw notAModel("implausible config size \(manifest.config.size)")
        }
        guard layer.size > 0 else { throw notAModel("the layer is empty") }
        return (manifest.config, layer)
    }

    /// The `ormbfile.yaml` a config blob stands for (what ormb's export writes): the
    /// JSON keys in their order, as block YAML.
    public static func ormbfileYAML(fromConfig data: Data, reference: String) throws -> String {
        // JSON is YAML: compose it, then restyle collections as blocks.
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any],
              let text = String(data: data, encoding: .utf8), let node = try? Yams.compose(yaml: text)
        else { throw KleverError(.pull, file: reference, "the config blob is not a JSON object") }
        do {
            return try Yams.serialize(node: blockStyle(node), indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw KleverError(.pull, file: reference, "the config blob cannot be written as YAML: \(error)")
        }
    }

    /// Mappings and sequences of collections in block style; sequences of scalars
    /// (tensor sizes) in flow style.
    private static func blockStyle(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            // Keys plain (`format:`), as people write them; values keep JSON's quoting.
            return Node(mapping.map { (Node($0.key.string ?? ""), blockStyle($0.value)) }, mapping.tag, .block)
        case .sequence(let sequence):
            let items = sequence.map(blockStyle)
            let flat = items.allSatisfy { if case .scalar = $0 { true } else { false } }
            return Node(items, sequence.tag, flat && !items.isEmpty ? .flow : .block)
        case .scalar, .alias:
            return node
        }
    }
}
