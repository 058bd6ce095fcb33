import Foundation
import ModelPackage

/// Lays a pulled model out as a package folder.
public enum ArtifactLayout {
    /// Writes `destination/ormbfile.yaml` (from the config) and unpacks the layer into
    /// `destination/model/`, in a temporary folder beside it that is renamed into place:
    /// a failure leaves nothing behind. `destination` must not exist or be empty.
    public static func layOut(config: Data, layer: URL, into destination: URL, display: String, limits: UnpackLimits) throws {
        let manager = FileManager.default
        let destination = destination.standardizedFileURL
        if let contents = try? manager.contentsOfDirectory(atPath: destination.path), !contents.isEmpty {
            throw KleverError(.unpack, file: destination.path, "exists and is not empty")
        } else if FileMode.type(of: destination.path).map({ $0 != FileMode.directory }) == true {
            throw KleverError(.unpack, file: destination.path, "exists and is not a folder")
        }
        let parent = destination.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).klever-\(UUID().uuidString.prefix(8))")
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw KleverError(.unpack, file: parent.path, "cannot create a folder: \(error.localizedDescription)")
        }
        var placed = false
        defer { if !placed { try? manager.removeItem(at: temporary) } }

        let yaml = try ModelArtifact.ormbfileYAML(fromConfig: config, reference: display)
        do {
            try Data(yaml.utf8).write(to: temporary.appendingPathComponent(Ormbfile.fileName))
            try manager.createDirectory(at: temporary.appendingPathComponent("model"), withIntermediateDirectories: true)
        } catch {
            throw KleverError(.unpack, file: temporary.path, "cannot write: \(error.localizedDescription)")
        }
        try LayerReader.extract(layer, into: temporary, under: "model", limits: limits, display: display)
        // rename(2) replaces an empty folder.
        guard rename(temporary.path, destination.path) == 0 else {
            throw KleverError(.unpack, file: destination.path, "cannot move into place: \(String(cString: strerror(errno)))")
        }
        placed = true
    }
}
