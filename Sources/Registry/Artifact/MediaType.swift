/// The media types klever reads and writes.
public enum MediaType {
    /// An OCI image manifest: what an ormb artifact's manifest is.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// A Docker v2 image manifest (same shape; accepted when reading).
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// An OCI image index (a list of manifests): not a model.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// A Docker manifest list: not a model.
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// The ormb config blob: the ormbfile as JSON plus `directoryStructure`.
    public static let modelConfig = "application/vnd.caicloud.model.config.v1alpha1+json"
    /// The ormb content layer: a gzip'd tar of `model/...`.
    public static let modelLayer = "application/tar+gzip"

    /// The `Accept` of manifest requests: distribution serves OCI manifests only to
    /// clients that list the OCI type.
    static let manifestAccept = [ociManifest, dockerManifest].joined(separator: ", ")
}
