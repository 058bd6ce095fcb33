import Foundation

/// One line of a watch stream: `{"type": "ADDED", "object": {...}}`.
public enum WatchEvent<Object: KubernetesObject>: Sendable, Decodable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Only a newer resourceVersion: the stream is alive and may resume from there.
    case bookmark(resourceVersion: String)
    /// The stream failed; a code of 410 means its resourceVersion is too old: list again.
    case error(APIStatus)

    private enum CodingKeys: String, CodingKey { case type, object }

    /// A bookmark's object carries nothing but its resourceVersion.
    private struct Bookmark: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        var metadata: Metadata?
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            self = .bookmark(resourceVersion: try container.decode(Bookmark.self, forKey: .object).metadata?.resourceVersion ?? "")
        case "ERROR": self = .error(try container.decode(APIStatus.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type '\(type)'")
        }
    }

    /// The resourceVersion the stream has reached with this event, if it tells one.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.metadata.resourceVersion
        case .bookmark(let version): version
        case .error: nil
        }
    }
}

/// Cuts a byte stream into lines (a watch sends one JSON document per line, in chunks
/// that need not end at a line's end).
struct LineSplitter {
    private var pending = Data()

    /// The complete lines in what came so far, empty lines dropped.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> [Data] {
        pending.append(contentsOf: bytes)
        var lines: [Data] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if newline > start { lines.append(pending[start..<newline]) }
            start = pending.index(after: newline)
        }
        pending.removeSubrange(pending.startIndex..<start)
        return lines
    }

    /// What is left after the stream ended without a final newline.
    var remainder: Data? { pending.isEmpty ? nil : pending }
}
