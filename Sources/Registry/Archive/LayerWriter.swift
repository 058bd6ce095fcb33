import CArchive
import Foundation
import ModelPackage

/// Writes an ormb content layer: a gzip'd tar of the regular files under a package's
/// `model/`, named `model/<path>`, streamed to a file and hashed on the way.
///
/// The same files give the same bytes (and digest): entries in ormb's walk order (each
/// folder's names sorted, depth first), mtime 0, owner 0:0, mode 0644 (0755 when
/// executable), no gzip timestamp. Like ormb, symbolic links and other non-regular
/// files are left out, and folders get no entries of their own.
public enum LayerWriter {
    /// What was written.
    public struct Result: Sendable {
        public let descriptor: Descriptor
        /// The entry names in archive order (the config's `directoryStructure`).
        public let entries: [String]
    }

    /// Archives `modelFolder` into `output`; `display` names the folder in errors.
    /// `compressionLevel` is gzip's 1 (fast) to 9 (small).
    public static func write(modelFolder: URL, display: String, to output: URL, compressionLevel: Int = 6) throws -> Result {
        let files = try walk(modelFolder, display: display)
        guard let archive = archive_write_new() else { throw KleverError(.save, file: output.path, "libarchive cannot start a writer") }
        defer { archive_write_free(archive) }
        let sink: HashingFile
        do {
            sink = try HashingFile(output)
        } catch {
            throw KleverError(.save, file: output.path, "cannot write: \(error.localizedDescription)")
        }
        func check(_ status: Int32, _ what: String) throws {
            guard status >= ARCHIVE_WARN else {
                let reason = sink.error.map { "\($0.localizedDescription)" } ?? archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error"
                throw KleverError(.save, file: output.path, "\(what): \(reason)")
            }
        }
        try check(archive_write_add_filter_gzip(archive), "gzip")
        // No timestamp in the gzip header: the same files must give the same digest.
        try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), "gzip")
        try check(archive_write_set_filter_option(archive, "gzip", "compression-level", String(compressionLevel)), "gzip")
        // ustar, with pax records only where a name needs them (long or non-ASCII).
        try check(archive_write_set_format_pax_restricted(archive), "tar")
        // No padding after the gzip stream (Go's gzip reader would take it for a member).
        try check(archive_write_set_bytes_in_last_block(archive, 1), "tar")
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(archive_write_open(archive, context, nil, { _, context, buffer, length in
            let sink = Unmanaged<HashingFile>.fromOpaque(context!).takeUnretainedValue()
            return sink.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? la_ssize_t(length) : -1
        }, nil), "open")

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileChunks.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        for file in files {
            guard let entry = archive_entry_new() else { throw KleverError(.save, file: output.path, "out of memory") }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, file.name)
            archive_entry_set_filetype(entry, UInt32(FileMode.regular))
            archive_entry_set_perm(entry, file.executable ? 0o755 : 0o644)
            archive_entry_set_size(entry, la_int64_t(file.size))
            archive_entry_set_mtime(entry, 0, 0)
            archive_entry_set_uid(entry, 0)
            archive_entry_set_gid(entry, 0)
            try check(archive_write_header(archive, entry), file.name)
            var written: Int64 = 0
            do {
                try FileChunks.read(file.url) { chunk in
                    guard written + Int64(chunk.count) <= file.size else { throw POSIXError(.EFBIG) }
                    guard archive_write_data(archive, chunk.baseAddress, chunk.count) == chunk.count else { throw POSIXError(.EIO) }
                    written += Int64(chunk.count)
                }
            } catch {
                throw KleverError(.save, file: "\(display)/\(file.relative)", "cannot archive: \(sink.error?.localizedDescription ?? error.localizedDescription)")
            }
            guard written == file.size else {
                throw KleverError(.save, file: "\(display)/\(file.relative)", "the file changed while it was archived")
            }
        }
        try check(archive_write_close(archive), "close")
        let digest: Digest
        do {
            digest = try sink.finish()
        } catch {
            throw KleverError(.save, file: output.path, "cannot write: \(error.localizedDescription)")
        }
        return Result(
            descriptor: Descriptor(mediaType: MediaType.modelLayer, digest: digest, size: sink.count),
            entries: files.map(\.name))
    }

    private struct File {
        let url: URL
        /// Path under `model/`.
        let relative: String
        let size: Int64
        let executable: Bool
        var name: String { "model/" + relative }
    }

    /// The regular files under `root`, in Go's `filepath.Walk` order.
    private static func walk(_ root: URL, display: String) throws -> [File] {
        var files: [File] = []
        func visit(_ folder: URL, prefix: String) throws {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            } catch {
                throw KleverError(.invalidPackage, file: display + (prefix.isEmpty ? "" : "/" + prefix), "cannot list the folder")
            }
            // Byte order, as Go sorts names.
            for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                let url = folder.appendingPathComponent(name)
                let relative = prefix.isEmpty ? name : prefix + "/" + name
                var info = stat()
                guard lstat(url.path, &info) == 0 else { continue }
                switch info.st_mode & FileMode.typeMask {
                case FileMode.directory: try visit(url, prefix: relative)
                case FileMode.regular:
                    files.append(File(url: url, relative: relative, size: Int64(info.st_size), executable: info.st_mode & 0o111 != 0))
                default: continue
                }
            }
        }
        try visit(root, prefix: "")
        return files
    }
}
