import Foundation
import ModelPackage
import Registry
@testable import Extractor

extension FuzzTarget {
    /// What a pull reads: the manifest, the config blob, the layout store's
    /// `index.json`, the layer archive.
    static let registryTargets: [FuzzTarget] = [
        FuzzTarget(name: "oci-manifest", fileName: "manifest.json") { file in
            let data = Data(file.bytes)
            let fetched = FetchedManifest(data: data, digest: Digest.of(data), mediaType: nil)
            do { _ = try ModelArtifact.parts(of: fetched, reference: file.name) } catch is KleverError {}
            do { _ = try ModelArtifact.ormbfileYAML(fromConfig: data, reference: file.name) } catch is KleverError {}
            let store = Scratch.layoutStore
            try data.write(to: store.root.appendingPathComponent("index.json"))
            for reference in Scratch.references {
                do { _ = try store.fetchManifest(reference) } catch is KleverError {}
            }
        },
        FuzzTarget(name: "tar-layer", fileName: "layer.tar.gz") { file in
            let archive = Scratch.folder.appendingPathComponent("layer.tar.gz")
            try Data(file.bytes).write(to: archive)
            let destination = Scratch.folder.appendingPathComponent("unpacked")
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(at: destination) }
            // Small limits: the defaults let a crafted layer fill the disk before they stop it.
            let limits = UnpackLimits(maxBytes: 16 << 20, maxEntries: 4096)
            _ = try LayerReader.extract(archive, into: destination, under: "model", limits: limits, display: file.name)
        },
    ]
}

/// The folder the registry targets write in, made once per run under `$TMPDIR`
/// (`build/fuzz` gives each run its own and removes it).
enum Scratch {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("klever-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A layout store whose `index.json` each input replaces.
    static var layoutStore: LayoutStore { LayoutStore(root: storeRoot) }

    private static let storeRoot: URL = {
        let root = folder.appendingPathComponent("store")
        try? FileManager.default.createDirectory(at: root.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
        try? Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: root.appendingPathComponent("oci-layout"))
        return root
    }()

    /// A reference by tag and one by digest, as `klever pull` looks them up.
    static let references = [
        try! ModelReference(parsing: "fuzz/model:v1"),
        try! ModelReference(parsing: "fuzz/model@sha256:" + String(repeating: "ab", count: 32)),
    ]
}
