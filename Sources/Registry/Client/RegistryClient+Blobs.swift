import CurlHTTP
import Foundation
import ModelPackage

extension RegistryClient {
    public func fetchBlob(
        _ descriptor: Descriptor, of reference: ModelReference, into folder: URL, progress: TransferProgress?
    ) throws -> URL {
        let subject = reference.description
        let final = folder.appendingPathComponent("sha256-" + descriptor.digest.hex)
        if FileManager.default.fileExists(atPath: final.path) { return final }
        let partial = folder.appendingPathComponent("sha256-\(descriptor.digest.hex).partial")
        let file: PartialFile
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            file = try PartialFile(partial)
        } catch POSIXError.EBUSY {
            throw KleverError(.pull, file: partial.path, "another pull is downloading this blob")
        } catch {
            throw KleverError(.pull, file: partial.path, "cannot write: \(error.localizedDescription)")
        }
        let sink = DownloadSink(
            BlobDownload(size: descriptor.size, partialBytes: file.size, policy: options.retry), file: file, progress: progress)
        var request = HTTPRequest("GET", url("/v2/\(reference.repository)/blobs/\(descriptor.digest)"))
        let scope = Self.scope(reference.repository, push: false)
        var action = sink.machine.start()
        while true {
            switch action {
            case .fetch(let from, let delay):
                Self.pause(delay)
                request.headers.set("Range", from > 0 ? "bytes=\(from)-" : nil)
                do {
                    _ = try exchange(request, scope: scope, subject: subject, sink: sink)
                    action = sink.machine.finished(transportError: nil)
                } catch let error as TransportError {
                    if let writeError = sink.writeError {
                        throw KleverError(.pull, file: partial.path, "cannot write: \(writeError.localizedDescription)")
                    }
                    if case .failed = error { throw KleverError(.pull, file: subject, error.message) }
                    action = sink.machine.finished(transportError: error.message)
                }
                if case .fetch(let from, _) = action, from > 0 {
                    logger.info("resuming blob \(descriptor.digest) at byte \(from) of \(descriptor.size)")
                }
            case .verify:
                action = sink.machine.verified(try sink.digest() == descriptor.digest)
            case .done:
                progress?.finish()
                do {
                    try file.commit(to: final)
                } catch {
                    throw KleverError(.pull, file: final.path, "cannot write: \(error.localizedDescription)")
                }
                return final
            case .fail(let failure):
                if failure == .digestMismatch || failure == .tooLarge { file.discard() }
                throw Self.error(failure, blob: descriptor, subject: subject, body: sink.errorBody)
            }
        }
    }

    public func pushBlob(
        _ descriptor: Descriptor, from file: URL, to reference: ModelReference, progress: TransferProgress?
    ) throws -> Bool {
        let subject = reference.description
        let chunkSize = descriptor.size > options.chunkedUploadThreshold ? options.chunkSize : nil
        var machine = BlobUpload(size: descriptor.size, chunkSize: chunkSize, policy: options.retry)
        let scope = Self.scope(reference.repository, push: true)
        var action = machine.start()
        while true {
            switch action {
            case .send(let step, let delay):
                Self.pause(delay)
                let request = try uploadRequest(step, descriptor: descriptor, file: file, reference: reference)
                let sink = UploadSink(progress: progress, base: Self.offset(of: step))
                do {
                    let head = try exchange(request, scope: scope, subject: subject, sink: sink)
                    action = machine.receive(status: head.status, headers: head.headers)
                    // A refused step is reported with the registry's own message.
                    if case .fail(.status) = action { throw failure(head, sink.data, code: .push, subject: subject) }
                } catch let error as TransportError {
                    guard case .connection = error else { throw Self.error(error, code: .push, subject: subject) }
                    action = machine.failed(transportError: error.message)
                }
            case .done(let uploaded):
                if uploaded { progress?.finish() }
                return uploaded
            case .fail(.connection(let message)):
                throw KleverError(.push, file: subject, "connection lost while pushing blob \(descriptor.digest): \(message)")
            case .fail(.protocolViolation(let why)):
                throw KleverError(.push, file: subject, "blob \(descriptor.digest): \(why)")
            case .fail(.status(let status, _)):
                // Thrown above with the registry's message; the switch must still cover it.
                throw KleverError(.push, file: subject, "blob \(descriptor.digest): unexpected answer (\(status))")
            }
        }
    }

    /// The HTTP request of an upload step.
    private func uploadRequest(
        _ step: BlobUpload.Step, descriptor: Descriptor, file: URL, reference: ModelReference
    ) throws -> HTTPRequest {
        func session(_ location: String) throws -> URL {
            guard let url = URLRules.resolve(location, against: baseURL) else {
                throw KleverError(.push, file: reference.description, "the registry gave an unusable upload location")
            }
            return url
        }
        let octets: HTTPHeaders = ["Content-Type": "application/octet-stream"]
        switch step {
        case .check:
            return HTTPRequest("HEAD", url("/v2/\(reference.repository)/blobs/\(descriptor.digest)"))
        case .open:
            return HTTPRequest("POST", url("/v2/\(reference.repository)/blobs/uploads/"))
        case .putWhole(let location):
            return HTTPRequest(
                "PUT", URLRules.appendingDigest(descriptor.digest, to: try session(location)), headers: octets,
                body: .file(file, offset: 0, length: descriptor.size))
        case .patch(let location, let from, let length):
            var headers = octets
            headers.set("Content-Range", "\(from)-\(from + length - 1)")
            return HTTPRequest("PATCH", try session(location), headers: headers, body: .file(file, offset: from, length: length))
        case .queryStatus(let location):
            return HTTPRequest("GET", try session(location))
        case .close(let location):
            return HTTPRequest("PUT", URLRules.appendingDigest(descriptor.digest, to: try session(location)), headers: octets)
        }
    }

    /// Where in the blob a step's body starts (for progress).
    private static func offset(of step: BlobUpload.Step) -> Int64? {
        switch step {
        case .putWhole: 0
        case .patch(_, let from, _): from
        default: nil
        }
    }

    private static func error(_ failure: BlobDownload.Failure, blob: Descriptor, subject: String, body: Data) -> KleverError {
        switch failure {
        case .status(let status):
            KleverError(
                status == 401 || status == 403 ? .login : .pull, file: subject,
                "blob \(blob.digest): \(RegistryErrorBody.message(body, status: status)) (\(status))")
        case .tooLarge:
            KleverError(.pull, file: subject, "the registry sent more than the \(blob.size) bytes of blob \(blob.digest)")
        case .digestMismatch:
            KleverError(.pull, file: subject, "blob \(blob.digest) does not match its digest (corrupt or tampered with); nothing was laid out")
        case .connection(let message):
            KleverError(.pull, file: subject, "connection lost while pulling blob \(blob.digest): \(message)")
        }
    }
}
