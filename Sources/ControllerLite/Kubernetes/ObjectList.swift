import Foundation

/// A LIST answer: the objects and the resourceVersion a watch continues from.
public struct ObjectList<Object: KubernetesObject>: Decodable, Sendable {
    public struct ListMeta: Decodable, Sendable {
        public var resourceVersion: String?
    }

    public var metadata: ListMeta
    /// Absent, not empty, in the JSON of an empty list.
    public var items: [Object]

    private enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try container.decodeIfPresent([Object].self, forKey: .items) ?? []
    }

    /// The resourceVersion of the list (a watch starts after it).
    public var resourceVersion: String { metadata.resourceVersion ?? "" }

    /// Decodes a LIST answer. The items of built-in kinds come without `apiVersion` and
    /// `kind` (the list names them once), which the typed objects require: they are put
    /// back first.
    static func decode(_ data: Data) throws -> ObjectList<Object> {
        guard var list = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let items = list["items"] as? [[String: Any]],
              items.contains(where: { $0["apiVersion"] == nil || $0["kind"] == nil })
        else { return try JSONDecoder().decode(Self.self, from: data) }
        list["items"] = items.map { item in
            item.merging(["apiVersion": Object.resource.apiVersion, "kind": Object.resource.kind]) { present, _ in present }
        }
        return try JSONDecoder().decode(Self.self, from: try JSONSerialization.data(withJSONObject: list))
    }
}
