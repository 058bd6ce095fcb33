import CurlHTTP
import Foundation

/// The temporary file a blob is downloaded into: kept across attempts and runs (so a
/// later pull resumes it), renamed into place only once its digest is checked.
final class PartialFile {
    let url: URL
    private let fd: Int32
    /// Bytes in the file when it was opened.
    let size: Int64

    init(_ url: URL) throws {
        self.url = url
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // Two pulls appending to one partial file would corrupt it: the second one is refused.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw POSIXError(.EBUSY)
        }
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    deinit { close(fd) }

    func truncate(to length: Int64) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + Int64(done)))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            done += count
        }
    }

    /// Flushes the file and renames it to `final`.
    func commit(to final: URL) throws {
        guard fsync(fd) == 0, rename(url.path, final.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Removes the file (its bytes are known to be wrong).
    func discard() { unlink(url.path) }
}

/// Streams a blob response into a ``PartialFile`` as ``BlobDownload`` decides, hashing
/// the bytes as they pass so the digest needs no second read of the file.
final class DownloadSink: ResponseSink {
    var machine: BlobDownload
    private let file: PartialFile
    private let progress: TransferProgress?
    private var hasher = DigestHasher()
    /// The hasher has seen the file's bytes `0..<hashed`.
    private var hashed: Int64 = 0
    private var position: Int64 = 0
    private var writing = false
    /// The body of an answer that was not the blob (for the error message).
    private(set) var errorBody = Data()
    /// Why the file could not be written, if it could not.
    private(set) var writeError: Error?

    init(_ machine: BlobDownload, file: PartialFile, progress: TransferProgress?) {
        self.machine = machine
        self.file = file
        self.progress = progress
    }

    func receive(head: HTTPResponseHead) -> Bool {
        errorBody = Data()
        writing = false
        switch machine.receive(head: head) {
        case .write(let from):
            do {
                try hash(upTo: from)
                try file.truncate(to: from)
            } catch {
                writeError = error
                return false
            }
            position = from
            writing = true
            return true
        case .discard:
            return true
        case .abort:
            return false
        }
    }

    func receive(body: UnsafeRawBufferPointer) -> Bool {
        guard writing else {
            if errorBody.count < 1 << 16 { errorBody.append(contentsOf: body.prefix(1 << 16 - errorBody.count)) }
            return true
        }
        guard machine.receive(bodyBytes: body.count) else { return false }
        do {
            try file.write(body, at: position)
        } catch {
            writeError = error
            return false
        }
        hasher.update(body)
        position += Int64(body.count)
        hashed = position
        progress?.update(position)
        return true
    }

    /// The digest of the whole file (hashing what the stream did not bring: bytes an
    /// earlier run left).
    func digest() throws -> Digest {
        try hash(upTo: machine.size)
        return hasher.finalize()
    }

    /// Makes the hasher cover exactly the file's bytes `0..<offset`.
    private func hash(upTo offset: Int64) throws {
        if offset < hashed {
            hasher = DigestHasher()
            hashed = 0
        }
        guard hashed < offset else { return }
        var remaining = offset - hashed
        try FileChunks.read(file.url, from: hashed) { chunk in
            guard remaining > 0 else { return }
            let part = UnsafeRawBufferPointer(rebasing: chunk.prefix(Int(min(Int64(chunk.count), remaining))))
            hasher.update(part)
            remaining -= Int64(part.count)
        }
        hashed = offset - remaining
    }
}

/// Keeps the (small) answer to an upload request and reports upload progress.
final class UploadSink: ResponseSink {
    private let buffer = BufferSink(limit: 1 << 16)
    private let progress: TransferProgress?
    /// Where in the blob this request's body starts; nil: the request sends no blob bytes.
    private let base: Int64?
    private var sentBytes: Int64 = 0

    init(progress: TransferProgress?, base: Int64?) {
        self.progress = progress
        self.base = base
    }

    var data: Data { buffer.data }

    func receive(head: HTTPResponseHead) -> Bool { buffer.receive(head: head) }

    func receive(body: UnsafeRawBufferPointer) -> Bool { buffer.receive(body: body) }

    func sent(bodyBytes count: Int) {
        sentBytes += Int64(count)
        if let base { progress?.update(base + sentBytes) }
    }
}
