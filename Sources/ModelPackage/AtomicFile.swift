import Foundation

/// Writes files so that a reader sees the old content or the new, never a mix, and a
/// failure leaves the old file as it was.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, flushes it, then renames it over `url`.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).klever-\(UUID().uuidString.prefix(8))")
        do {
            try data.write(to: temporary, options: [.withoutOverwriting])
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KleverError(.save, file: url.path, "cannot write: \(error.localizedDescription)")
        }
    }
}
