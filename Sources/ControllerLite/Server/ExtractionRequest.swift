import Foundation
import ModelPackage

/// The extraction ModelJob for a pushed artifact, named after the repository and the
/// digest: the same push, delivered twice, asks for the same ModelJob.
public enum ExtractionRequest {
    /// The annotation holding the digest a ModelJob was made for.
    public static let digestAnnotation = "kleveross.io/digest"
    /// The label that tells ModelJobs made from webhooks.
    public static let sourceLabel = "kleveross.io/source"

    /// `<repository>-<12 hex digits of the digest>`, at most 63 characters: the Job of
    /// the same name labels its pods with it, and a label value has at most 63.
    public static func name(repository: String, digest: String) -> String {
        let hex = digest.split(separator: ":").last.map(String.init) ?? digest
        let suffix = String(hex.lowercased().filter(\.isHexDigit).prefix(12))
        // DNS-1123: lowercase letters, digits and single dashes inside.
        let words = repository.lowercased().split { !(("a"..."z").contains($0) || ("0"..."9").contains($0)) }
        var slug = words.joined(separator: "-")
        slug = String(slug.prefix(63 - 1 - suffix.count))
        while slug.hasSuffix("-") { slug.removeLast() }
        return (slug.isEmpty ? "model" : slug) + "-" + suffix
    }

    /// The ModelJob extracting `repository:tag` (as pushed with `digest`) in `namespace`.
    public static func modelJob(repository: String, tag: String, digest: String, format: Format, namespace: String) -> ModelJob {
        var metadata = ObjectMeta(name: name(repository: repository, digest: digest), namespace: namespace)
        metadata.labels = [sourceLabel: "harbor-webhook"]
        metadata.annotations = [digestAnnotation: digest]
        return ModelJob(metadata: metadata, spec: ModelJobSpec(model: "\(repository):\(tag)", extraction: .init(format: format.rawValue)))
    }
}
