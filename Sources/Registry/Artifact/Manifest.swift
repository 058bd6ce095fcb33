import Foundation
import ModelPackage

/// An OCI content descriptor: what a manifest says about a blob.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    /// As Go writes it: fields in image-spec's order.
    var json: String {
        var fields = [("mediaType", JSONText.string(mediaType)), ("digest", JSONText.string(digest.description)), ("size", String(size))]
        if let annotations { fields.append(("annotations", JSONText.object(annotations))) }
        return JSONText.object(fields)
    }
}

/// An OCI image manifest (schema version 2).
public struct Manifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    /// Absent in manifests written by ormb (and by klever, to stay byte-compatible).
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = nil
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// The manifest as ormb writes it (Go's `json.Marshal` of image-spec's struct):
    /// compact, fields in declaration order, absent optionals left out, map keys sorted.
    /// Written by hand: JSONEncoder's key order is not stable.
    public func encoded() -> Data {
        var fields = [("schemaVersion", String(schemaVersion))]
        if let mediaType { fields.append(("mediaType", JSONText.string(mediaType))) }
        fields.append(("config", config.json))
        fields.append(("layers", "[" + layers.map(\.json).joined(separator: ",") + "]"))
        if let annotations { fields.append(("annotations", JSONText.object(annotations))) }
        return Data(JSONText.object(fields).utf8)
    }

    /// Decodes a manifest a store returned; `reference` names it in errors.
    public static func decode(_ data: Data, reference: String) throws -> Manifest {
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw KleverError(.pull, file: reference, "the manifest is not a valid OCI image manifest")
        }
        guard manifest.schemaVersion == 2 else {
            throw KleverError(.pull, file: reference, "unsupported manifest schemaVersion \(manifest.schemaVersion)")
        }
        return manifest
    }
}

/// Compact JSON text built in a chosen field order.
enum JSONText {
    /// A JSON string literal (as Go escapes it, `/` left alone).
    static func string(_ value: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// An object of already-encoded values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A string map, keys sorted (as Go marshals maps).
    static func object(_ map: [String: String]) -> String {
        object(map.sorted { $0.key < $1.key }.map { ($0.key, string($0.value)) })
    }
}
