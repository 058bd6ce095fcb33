import CurlHTTP
import Foundation
import ModelPackage

extension RegistryClient {
    /// Manifests larger than this are refused (distribution's own limit is 4 MiB).
    static let manifestLimit = 4 << 20

    public func fetchManifest(_ reference: ModelReference) throws -> FetchedManifest {
        var request = HTTPRequest("GET", url("/v2/\(reference.repository)/manifests/\(reference.manifestIdentifier)"))
        request.headers.set("Accept", MediaType.manifestAccept)
        let subject = reference.description
        let (head, body) = try send(
            request, scope: Self.scope(reference.repository, push: false), limit: Self.manifestLimit, code: .pull, subject: subject)
        guard head.status == 200 else { throw failure(head, body, code: .pull, subject: subject) }
        let digest = Digest.of(body)
        let announced = head.headers["Docker-Content-Digest"].flatMap { try? Digest(parsing: $0) }
        if let expected = reference.digest ?? announced, expected != digest {
            throw KleverError(.pull, file: subject, "the manifest does not match its digest \(expected)")
        }
        return FetchedManifest(data: body, digest: digest, mediaType: Self.mediaType(head))
    }

    /// `HEAD` of a manifest: its descriptor (digest, size, media type) as the registry
    /// announces it, or nil if the reference names nothing. Nothing is downloaded.
    public func manifestDescriptor(_ reference: ModelReference) throws -> Descriptor? {
        var request = HTTPRequest("HEAD", url("/v2/\(reference.repository)/manifests/\(reference.manifestIdentifier)"))
        request.headers.set("Accept", MediaType.manifestAccept)
        let subject = reference.description
        let (head, _) = try send(request, scope: Self.scope(reference.repository, push: false), code: .pull, subject: subject)
        if head.status == 404 { return nil }
        guard head.status == 200 else { throw failure(head, Data(), code: .pull, subject: subject) }
        guard let digest = head.headers["Docker-Content-Digest"].flatMap({ try? Digest(parsing: $0) }), let size = head.contentLength else {
            throw KleverError(.pull, file: subject, "the registry announced no digest or size for the manifest")
        }
        return Descriptor(mediaType: Self.mediaType(head) ?? MediaType.ociManifest, digest: digest, size: size)
    }

    public func pushManifest(_ data: Data, to reference: ModelReference) throws -> Digest {
        let digest = Digest.of(data)
        var request = HTTPRequest(
            "PUT", url("/v2/\(reference.repository)/manifests/\(reference.manifestIdentifier)"), body: .data(data))
        request.headers.set("Content-Type", MediaType.ociManifest)
        let subject = reference.description
        let (head, body) = try send(request, scope: Self.scope(reference.repository, push: true), code: .push, subject: subject)
        guard head.status == 201 || head.status == 200 else { throw failure(head, body, code: .push, subject: subject) }
        if let announced = head.headers["Docker-Content-Digest"].flatMap({ try? Digest(parsing: $0) }), announced != digest {
            throw KleverError(.push, file: subject, "the registry stored the manifest as \(announced), not \(digest)")
        }
        return digest
    }

    /// The media type of `Content-Type`, parameters dropped.
    private static func mediaType(_ head: HTTPResponseHead) -> String? {
        head.headers["Content-Type"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
