import Foundation
import ModelPackage
import Yams

/// A ModelJob in a file (YAML or JSON): local mode's stand-in for the API server.
///
/// The status is written back and nothing else changes: in a YAML file only the
/// `status` block is replaced (or added at the end), so comments and layout stay; a
/// JSON file is written again as JSON with its keys in their order. The file is
/// replaced atomically, so a watcher never reads half of it.
public struct ModelJobFile {
    public let url: URL
    public let modelJob: ModelJob
    private let text: String
    private let document: Node.Mapping

    /// Reads and checks a ModelJob file; one that is not a ModelJob is a usage error.
    public init(url: URL) throws {
        self.url = url
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw KleverError(.usage, file: url.path, "cannot read: \(error.localizedDescription)")
        }
        func notAModelJob(_ why: String) -> KleverError { KleverError(.usage, file: url.path, "not a ModelJob: \(why)") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw notAModelJob("\(error)")
        }
        guard case .mapping(let document)? = root else { throw notAModelJob("expected one YAML or JSON object") }
        self.document = document
        do {
            modelJob = try YAMLDecoder().decode(ModelJob.self, from: .mapping(document))
        } catch {
            throw notAModelJob("\(error)")
        }
        guard modelJob.apiVersion == ModelJob.apiVersion, modelJob.kind == ModelJob.kind else {
            throw notAModelJob("apiVersion and kind must be \(ModelJob.apiVersion) and \(ModelJob.kind)")
        }
    }

    /// The ModelJob's name, else the file's.
    public var name: String { modelJob.metadata.name ?? url.deletingPathExtension().lastPathComponent }

    /// Replaces the file with its text carrying this status.
    public func write(_ status: ModelJobStatus) throws {
        try AtomicFile.write(Data(try text(with: status).utf8), to: url)
    }

    /// The file's text with this status.
    private func text(with status: ModelJobStatus) throws -> String {
        let statusNode = Self.node(status)
        var updated = document
        updated["status"] = statusNode
        do {
            // JSON starts with '{' (the parsed mapping's style cannot tell: Yams takes it
            // from the mapping's end event).
            if text.first(where: { !$0.isWhitespace }) == "{" { return try NodeJSON.text(.mapping(updated)) + "\n" }
            // Splicing keeps comments; the check catches layouts it misreads (a
            // document end marker, an indented document), which are written whole.
            if let spliced = try? splice(statusNode), try Self.sameDocument(spliced, as: .mapping(updated)) { return spliced }
            return try Yams.serialize(node: .mapping(updated), indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw KleverError(.save, file: url.path, "cannot write the status: \(error)")
        }
    }

    /// The text with the top-level `status` block's lines replaced, or the block
    /// appended; nil when the marks do not say where the block is.
    private func splice(_ status: Node) throws -> String? {
        let block = try Yams.serialize(node: Node([(Node("status"), status)]), indent: 2, width: -1, allowUnicode: true)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let keys = Array(document.keys)
        var start = lines.count, end = lines.count
        if let index = keys.firstIndex(of: Node("status")) {
            guard let mark = keys[index].mark, mark.column == 1 else { return nil }
            start = mark.line - 1
            end = index + 1 < keys.count ? (keys[index + 1].mark?.line ?? 0) - 1 : lines.count
            guard start < end, end <= lines.count else { return nil }
            // Blank lines and comments just above the next key belong to it.
            while end - 1 > start, lines[end - 1].allSatisfy(\.isWhitespace) || lines[end - 1].hasPrefix("#") { end -= 1 }
        }
        lines.replaceSubrange(start..<end, with: block.split(separator: "\n").map(String.init))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func sameDocument(_ text: String, as expected: Node) throws -> Bool {
        let decoder = YAMLDecoder()
        return (try? decoder.decode(JSONValue.self, from: text)) == (try decoder.decode(JSONValue.self, from: expected))
    }

    /// `status` as written: both fields quoted, whatever the message says.
    private static func node(_ status: ModelJobStatus) -> Node {
        Node([
            (Node("phase"), Node(status.phase?.rawValue ?? "", Tag(.str), .doubleQuoted)),
            (Node("message"), Node(status.message ?? "", Tag(.str), .doubleQuoted)),
        ])
    }
}
