import Extractor
import Foundation
import Logging
import ModelPackage
import Registry
import Yams

/// Extraction on push in local mode, the stand-in for Harbor's `PUSH_ARTIFACT` webhook:
/// a model pushed to the local store gets an extraction ModelJob file in the folder
/// `klever controller --local` watches.
///
/// No process has to be running: `klever push` writes the file itself, into the folder
/// `KLEVER_MODELJOBS` names, else into the store's `modeljobs/`, when that folder exists
/// (the local controller creates it, and watches it by default). One file per
/// repository and manifest digest, its name carrying the digest, so pushing the same
/// model again writes nothing; only formats klever can extract get one.
public enum ExtractionOnPush {
    public static let folderVariable = "KLEVER_MODELJOBS"
    /// The store's own ModelJobs folder.
    public static let storeFolder = "modeljobs"
    /// The full manifest digest, on the ModelJob (its name has only a prefix).
    public static let digestAnnotation = "kleveross.io/manifest-digest"

    /// The ModelJobs folder of a store: `KLEVER_MODELJOBS`, else the store's `modeljobs/`.
    /// The hook is on when it exists.
    public static func folder(store: URL, environment: [String: String]) -> URL {
        if let folder = environment[folderVariable], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        return store.appendingPathComponent(storeFolder)
    }

    /// The extraction ModelJob of a pushed model, named `extract-<repository>-<digest prefix>`.
    public static func modelJob(for reference: ModelReference, digest: Digest, format: Format) -> ModelJob {
        // Repository paths are [a-z0-9] words joined by '/', '.', '_' and '-'; as '-'
        // they make a valid object name (DNS-1123, at most 253 characters with the rest).
        let slug = String(reference.repository.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(200))
        let name = "extract-\(slug.trimmingCharacters(in: ["-"]))-\(digest.hex.prefix(16))"
        let metadata = ObjectMeta(name: name, annotations: [digestAnnotation: digest.description])
        return ModelJob(metadata: metadata, spec: ModelJobSpec(model: reference.localName, extraction: .init(format: format.rawValue)))
    }

    /// Writes the extraction ModelJob for a model just pushed to the local store at
    /// `store`, unless the hook is off, the format is not one klever extracts, or the
    /// file exists. Returns the file written. The push has happened whatever this
    /// does, so a failure is a warning, not an error.
    @discardableResult
    public static func modelPushed(
        _ package: ModelPackageFolder, to reference: ModelReference, digest: Digest, store: URL,
        environment: [String: String], logger: Logger
    ) -> URL? {
        let folder = folder(store: store, environment: environment)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else { return nil }
        do {
            guard let format = try package.readOrmbfile().format(), Extraction.formats.contains(format) else {
                logger.info("no extraction ModelJob for \(reference): klever does not extract its format")
                return nil
            }
            let modelJob = modelJob(for: reference, digest: digest, format: format)
            let file = folder.appendingPathComponent("\(modelJob.metadata.name ?? "").yaml")
            let text = "# Extraction on push of \(reference) (\(digest)), written by klever push.\n" + (try YAMLEncoder().encode(modelJob))
            guard try createOnce(file, Data(text.utf8)) else { return nil }
            logger.info("wrote the extraction ModelJob \(file.path)")
            return file
        } catch {
            logger.warning("\(reference) was pushed, but no extraction ModelJob was written: \(error)")
            return nil
        }
    }

    /// Creates a complete file unless one exists (a link never replaces a file, so
    /// two pushes at once cannot both write it); returns whether it did.
    private static func createOnce(_ url: URL, _ data: Data) throws -> Bool {
        guard !FileManager.default.fileExists(atPath: url.path) else { return false }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).klever-\(UUID().uuidString.prefix(8))")
        defer { unlink(temporary.path) }
        try data.write(to: temporary)
        guard link(temporary.path, url.path) == 0 else {
            if errno == EEXIST { return false }
            throw KleverError(.save, file: url.path, "cannot write: \(String(cString: strerror(errno)))")
        }
        return true
    }
}
