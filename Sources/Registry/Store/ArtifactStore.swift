import Foundation

/// A manifest as a store returned it, its digest checked.
public struct FetchedManifest: Sendable {
    public let data: Data
    public let digest: Digest
    /// The media type the store declared (`Content-Type`, or the index entry's), if any.
    public let mediaType: String?

    public init(data: Data, digest: Digest, mediaType: String?) {
        self.data = data
        self.digest = digest
        self.mediaType = mediaType
    }
}

/// Where models live: a registry or a local OCI image layout. Push and pull are
/// written once against this protocol. Errors are ``ModelPackage/KleverError``s that
/// name `reference`.
public protocol ArtifactStore: AnyObject {
    /// The manifest of a reference (by tag or digest), its digest verified.
    func fetchManifest(_ reference: ModelReference) throws -> FetchedManifest

    /// A verified file holding the blob. A registry downloads it into `folder` (resuming a
    /// partial file an earlier attempt left there); a local store may return its own file.
    func fetchBlob(_ descriptor: Descriptor, of reference: ModelReference, into folder: URL, progress: TransferProgress?) throws -> URL

    /// Stores a blob from a file unless the store has it; returns whether it was sent.
    @discardableResult
    func pushBlob(_ descriptor: Descriptor, from file: URL, to reference: ModelReference, progress: TransferProgress?) throws -> Bool

    /// Stores a manifest under the reference's tag (replacing what the tag named).
    func pushManifest(_ data: Data, to reference: ModelReference) throws -> Digest
}
