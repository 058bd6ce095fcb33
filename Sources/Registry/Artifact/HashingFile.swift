import Foundation

/// A new file written piece by piece and hashed on the way, so its digest needs no
/// second read.
final class HashingFile {
    private let handle: FileHandle
    private var hasher = DigestHasher()
    private(set) var count: Int64 = 0
    /// The first write error, if any (callers inside C callbacks cannot throw).
    private(set) var error: Error?

    /// Creates (or truncates) the file.
    init(_ url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw POSIXError(.EACCES) }
        handle = try FileHandle(forWritingTo: url)
    }

    /// Appends bytes; false if they could not be written (see ``error``).
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            self.error = error
            return false
        }
        hasher.update(bytes)
        count += Int64(bytes.count)
        return true
    }

    /// Flushes and closes the file; returns the digest of what was written.
    func finish() throws -> Digest {
        try handle.synchronize()
        try handle.close()
        return hasher.finalize()
    }
}
