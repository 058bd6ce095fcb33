import Foundation
import Logging
import ModelPackage

/// Push and pull of ormb models, written once for every ``ArtifactStore``.
public enum ModelTransfer {
    /// Packs a package (ormbfile + `model/`) and pushes it: layer, config, then the
    /// manifest under the reference's tag. Returns the manifest's digest.
    @discardableResult
    public static func push(
        _ package: ModelPackageFolder, to reference: ModelReference, store: ArtifactStore, logger: Logger,
        compressionLevel: Int = 6
    ) throws -> Digest {
        guard reference.tag != nil else {
            throw KleverError(.usage, file: reference.description, "a push needs a tag (name:tag)")
        }
        let ormbfile = try package.readOrmbfile()
        guard let format = try ormbfile.format() else {
            throw KleverError(.invalidOrmbfile, file: ormbfile.file, "no format: set `format`")
        }
        _ = try package.modelFiles(for: format)

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("klever-push-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw KleverError(.save, file: work.path, "cannot create: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: work) }

        let layerFile = work.appendingPathComponent("layer.tar.gz")
        let layer = try LayerWriter.write(
            modelFolder: package.modelURL, display: package.display("model"), to: layerFile, compressionLevel: compressionLevel)
        let config = try ModelArtifact.config(ormbfile, entries: layer.entries)
        let configFile = work.appendingPathComponent("config.json")
        try AtomicFile.write(config, to: configFile)
        let configDescriptor = Descriptor(mediaType: MediaType.modelConfig, digest: .of(config), size: Int64(config.count))
        logger.debug("packed \(layer.entries.count) files: layer \(layer.descriptor.digest) (\(layer.descriptor.size) bytes)")

        try store.pushBlob(
            layer.descriptor, from: layerFile, to: reference,
            progress: TransferProgress(label: "push \(reference.repository) layer", total: layer.descriptor.size, logger: logger))
        try store.pushBlob(configDescriptor, from: configFile, to: reference, progress: nil)
        let manifest = ModelArtifact.manifest(config: configDescriptor, layer: layer.descriptor).encoded()
        let digest = try store.pushManifest(manifest, to: reference)
        logger.info("pushed \(reference) (\(digest))")
        return digest
    }

    /// A pulled model: its verified config and layer file.
    public struct PulledModel: Sendable {
        public let manifestDigest: Digest
        public let configDescriptor: Descriptor
        public let layerDescriptor: Descriptor
        /// The config blob (the ormbfile as JSON).
        public let config: Data
        /// The layer, a tar.gz whose digest was checked.
        public let layer: URL
    }

    /// Fetches manifest, config and layer. Blobs from a registry go into `downloads`,
    /// where an interrupted pull leaves its partial file for the next one to resume.
    public static func pull(_ reference: ModelReference, from store: ArtifactStore, downloads: URL, logger: Logger) throws -> PulledModel {
        let subject = reference.description
        let fetched = try store.fetchManifest(reference)
        let (configDescriptor, layerDescriptor) = try ModelArtifact.parts(of: fetched, reference: subject)
        let configFile = try store.fetchBlob(configDescriptor, of: reference, into: downloads, progress: nil)
        let config: Data
        do {
            config = try Data(contentsOf: configFile)
        } catch {
            throw KleverError(.pull, file: configFile.path, "cannot read: \(error.localizedDescription)")
        }
        let layer = try store.fetchBlob(
            layerDescriptor, of: reference, into: downloads,
            progress: TransferProgress(label: "pull \(reference.repository) layer", total: layerDescriptor.size, logger: logger))
        return PulledModel(
            manifestDigest: fetched.digest, configDescriptor: configDescriptor, layerDescriptor: layerDescriptor,
            config: config, layer: layer)
    }

    /// Pulls a model and lays it out as a package, `destination/ormbfile.yaml` and
    /// `destination/model/...`, all at once or not at all. Returns the manifest digest.
    @discardableResult
    public static func pull(
        _ reference: ModelReference, from store: ArtifactStore, into destination: URL, limits: UnpackLimits = UnpackLimits(),
        logger: Logger
    ) throws -> Digest {
        let downloads = downloadsFolder(for: destination)
        let pulled = try pull(reference, from: store, downloads: downloads, logger: logger)
        try ArtifactLayout.layOut(config: pulled.config, layer: pulled.layer, into: destination, display: reference.description, limits: limits)
        try? FileManager.default.removeItem(at: downloads)
        logger.info("pulled \(reference) (\(pulled.manifestDigest)) into \(destination.path)")
        return pulled.manifestDigest
    }

    /// Where blobs for `destination` download: beside it (same file system, found again
    /// by a pull that resumes), hidden.
    public static func downloadsFolder(for destination: URL) -> URL {
        let destination = destination.standardizedFileURL
        return destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).klever-download")
    }
}
