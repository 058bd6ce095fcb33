import Foundation
import ModelPackage

/// A local OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) holding
/// many models: each tag is an `index.json` entry annotated
/// `org.opencontainers.image.ref.name` = `project/name:tag`.
///
/// Blobs are content-addressed and written through a temporary file and a rename;
/// `index.json` is rewritten the same way, under a lock, so concurrent pushes do not
/// lose each other's tags.
public final class LayoutStore: ArtifactStore {
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    public let root: URL

    public init(root: URL) { self.root = root }

    private var indexURL: URL { root.appendingPathComponent("index.json") }

    func blobURL(_ digest: Digest) -> URL { root.appendingPathComponent("blobs/sha256/" + digest.hex) }

    // MARK: - Pull

    public func fetchManifest(_ reference: ModelReference) throws -> FetchedManifest {
        let subject = reference.description
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("oci-layout").path) else {
            throw KleverError(.pull, file: subject, "no OCI image layout at \(root.path)")
        }
        let entries = try index(code: .pull, subject: subject)["manifests"] as? [[String: Any]] ?? []
        let entry: [String: Any]?
        if let digest = reference.digest {
            entry = entries.first { $0["digest"] as? String == digest.description } ?? ["digest": digest.description]
        } else {
            entry = entries.last { ($0["annotations"] as? [String: Any])?[Self.refNameAnnotation] as? String == reference.localName }
        }
        guard let entry, let text = entry["digest"] as? String, let digest = try? Digest(parsing: text),
              let data = FileManager.default.contents(atPath: blobURL(digest).path)
        else { throw KleverError(.pull, file: subject, "manifest unknown in the store at \(root.path)") }
        guard data.count <= RegistryClient.manifestLimit, Digest.of(data) == digest else {
            throw KleverError(.pull, file: subject, "the store's manifest blob \(digest) is corrupt")
        }
        return FetchedManifest(data: data, digest: digest, mediaType: entry["mediaType"] as? String)
    }

    public func fetchBlob(_ descriptor: Descriptor, of reference: ModelReference, into folder: URL, progress: TransferProgress?) throws -> URL {
        let url = blobURL(descriptor.digest)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? nil
        guard size == descriptor.size else {
            throw KleverError(.pull, file: reference.description, "blob \(descriptor.digest) is missing from the store at \(root.path)")
        }
        var hasher = DigestHasher()
        var done: Int64 = 0
        do {
            try FileChunks.read(url) { chunk in
                hasher.update(chunk)
                done += Int64(chunk.count)
                progress?.update(done)
            }
        } catch {
            throw KleverError(.pull, file: url.path, "cannot read: \(error.localizedDescription)")
        }
        guard hasher.finalize() == descriptor.digest else {
            throw KleverError(.pull, file: reference.description, "blob \(descriptor.digest) in the store does not match its digest (corrupt)")
        }
        progress?.finish()
        return url
    }

    // MARK: - Push

    public func pushBlob(_ descriptor: Descriptor, from file: URL, to reference: ModelReference, progress: TransferProgress?) throws -> Bool {
        let url = blobURL(descriptor.digest)
        if FileMode.type(of: url.path) == FileMode.regular { return false }
        try prepare(reference)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(descriptor.digest.hex).klever-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let digest: Digest
        do {
            let copy = try HashingFile(temporary)
            try FileChunks.read(file) { chunk in
                guard copy.write(chunk) else { throw copy.error ?? POSIXError(.EIO) }
                progress?.update(copy.count)
            }
            digest = try copy.finish()
        } catch {
            throw KleverError(.push, file: url.path, "cannot write: \(error.localizedDescription)")
        }
        guard digest == descriptor.digest else {
            throw KleverError(.push, file: file.path, "changed while it was pushed (digest \(digest), expected \(descriptor.digest))")
        }
        try commit(temporary, to: url)
        progress?.finish()
        return true
    }

    public func pushManifest(_ data: Data, to reference: ModelReference) throws -> Digest {
        let subject = reference.description
        guard reference.tag != nil else { throw KleverError(.usage, file: subject, "a push needs a tag") }
        let digest = Digest.of(data)
        try prepare(reference)
        let url = blobURL(digest)
        if FileMode.type(of: url.path) != FileMode.regular {
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(digest.hex).klever-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: temporary) }
            do {
                try data.write(to: temporary)
            } catch {
                throw KleverError(.push, file: url.path, "cannot write: \(error.localizedDescription)")
            }
            try commit(temporary, to: url)
        }
        try withIndexLock(subject: subject) {
            var index = try self.index(code: .push, subject: subject)
            var entries = (index["manifests"] as? [[String: Any]] ?? []).filter {
                ($0["annotations"] as? [String: Any])?[Self.refNameAnnotation] as? String != reference.localName
            }
            entries.append([
                "mediaType": MediaType.ociManifest, "digest": digest.description, "size": data.count,
                "annotations": [Self.refNameAnnotation: reference.localName],
            ])
            index["manifests"] = entries
            let encoded: Data
            do {
                encoded = try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys, .withoutEscapingSlashes])
            } catch {
                throw KleverError(.push, file: indexURL.path, "cannot encode: \(error.localizedDescription)")
            }
            try AtomicFile.write(encoded, to: indexURL)
        }
        return digest
    }

    // MARK: - Layout files

    /// `index.json` as a JSON object (a new one if the file does not exist yet).
    private func index(code: KleverError.Code, subject: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: indexURL.path) else {
            return ["schemaVersion": 2, "mediaType": MediaType.ociIndex, "manifests": [Any]()]
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KleverError(code, file: indexURL.path, "not a JSON object")
        }
        return object
    }

    /// Creates the layout's folders and `oci-layout` if missing.
    private func prepare(_ reference: ModelReference) throws {
        let marker = root.appendingPathComponent("oci-layout")
        do {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
        } catch {
            throw KleverError(.push, file: root.path, "cannot create the store: \(error.localizedDescription)")
        }
        if !FileManager.default.fileExists(atPath: marker.path) {
            try AtomicFile.write(Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: marker)
        }
    }

    private func commit(_ temporary: URL, to url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw KleverError(.push, file: url.path, "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` holding an exclusive lock on the layout folder (flock on its descriptor).
    private func withIndexLock(subject: String, _ body: () throws -> Void) throws {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, flock(fd, LOCK_EX) == 0 else {
            if fd >= 0 { close(fd) }
            throw KleverError(.push, file: root.path, "cannot lock the store: \(String(cString: strerror(errno)))")
        }
        defer {
            flock(fd, LOCK_UN)
            close(fd)
        }
        try body()
    }
}
