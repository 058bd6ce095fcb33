import CArchive

/// A zip archive read through libarchive as a stream of entries.
///
/// The caller picks the entries it needs by path and gets their bytes; every other
/// entry is skipped unread. libarchive's seekable zip reader follows the central
/// directory and seeks from one local header to the next, so over a ``MappedFile`` the
/// pages of skipped entries (a model's tensor payloads) are never touched.
struct ZipArchive {
    /// One regular file of the archive.
    struct Entry: Equatable, Sendable {
        let path: String
        /// The uncompressed size the archive declares, when it declares one.
        let size: Int?
    }

    /// How much the reader takes into memory: a declared size can lie and a small
    /// compressed entry can inflate to gigabytes, so reading stops at these bounds.
    struct Limits: Sendable {
        var entrySize = 64 << 20
        var totalSize = 256 << 20
        var entryCount = 1 << 20
    }

    /// Every regular file, in archive (central directory) order.
    let entries: [Entry]
    /// The bytes of the entries `select` chose, by path.
    let contents: [String: [UInt8]]

    /// Reads the archive in `file`; `select` sees each regular entry in order and says
    /// whether to read its bytes.
    static func read(
        _ file: MappedFile, limits: Limits = Limits(), select: (Entry) -> Bool
    ) throws(ZipArchiveError) -> ZipArchive {
        guard let base = file.bytes.baseAddress else { throw ZipArchiveError("empty file, not a zip archive") }
        guard let archive = archive_read_new() else { throw ZipArchiveError("libarchive cannot start a reader") }
        defer { archive_read_free(archive) }
        archive_read_support_format_zip_seekable(archive)
        guard archive_read_open_memory(archive, base, file.count) == ARCHIVE_OK else {
            throw unreadable(file, archive)
        }
        var entries: [Entry] = []
        var contents: [String: [UInt8]] = [:]
        var total = 0
        var header: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &header)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let header else {
                throw entries.isEmpty ? unreadable(file, archive) : ZipArchiveError("corrupt zip archive: \(message(archive))")
            }
            guard klever_archive_entry_is_regular(header) != 0 else { continue }
            guard entries.count < limits.entryCount else {
                throw ZipArchiveError("more than \(limits.entryCount) entries")
            }
            let entry = Entry(
                path: path(of: header),
                size: archive_entry_size_is_set(header) != 0 ? Int(archive_entry_size(header)) : nil)
            entries.append(entry)
            // An entry not chosen is skipped by the next archive_read_next_header.
            guard select(entry) else { continue }
            let data = try readData(archive, entry, limits: limits, alreadyRead: total)
            total += data.count
            contents[entry.path] = data
        }
        return ZipArchive(entries: entries, contents: contents)
    }

    private static func readData(_ archive: OpaquePointer, _ entry: Entry, limits: Limits, alreadyRead: Int) throws(ZipArchiveError) -> [UInt8] {
        let limit = min(limits.entrySize, limits.totalSize - alreadyRead)
        func tooLarge() -> ZipArchiveError {
            limit < limits.entrySize
                ? ZipArchiveError("the entries read add up to more than \(describe(bytes: limits.totalSize))")
                : ZipArchiveError("entry '\(entry.path)' is larger than \(describe(bytes: limits.entrySize))")
        }
        var data: [UInt8] = []
        if let size = entry.size {
            guard size <= limit else { throw tooLarge() }
            data.reserveCapacity(size)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            guard count > 0 else { throw ZipArchiveError("cannot read entry '\(entry.path)': \(message(archive))") }
            guard data.count + count <= limit else { throw tooLarge() }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    private static func path(of header: OpaquePointer) -> String {
        guard let name = archive_entry_pathname_utf8(header) ?? archive_entry_pathname(header) else { return "" }
        return String(cString: name)
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }

    /// Why libarchive refuses the archive before its first entry, in the user's terms.
    private static func unreadable(_ file: MappedFile, _ archive: OpaquePointer) -> ZipArchiveError {
        // A zip starts with a local file header, or, when empty, the end of central
        // directory record, which is in the last 64 KiB + 22 bytes.
        let head = Array(file.bytes.prefix(4))
        guard head == localHeader || head == endOfCentralDirectory else { return ZipArchiveError("not a zip archive") }
        let tail = Array(file.bytes.suffix((64 << 10) + 22))
        guard (0..<max(tail.count - 3, 0)).contains(where: { tail[$0..<$0 + 4].elementsEqual(endOfCentralDirectory) }) else {
            return ZipArchiveError("truncated: the zip has no end of central directory record")
        }
        return ZipArchiveError("corrupt zip archive: \(message(archive))")
    }

    private static let localHeader: [UInt8] = [0x50, 0x4b, 0x03, 0x04]
    private static let endOfCentralDirectory: [UInt8] = [0x50, 0x4b, 0x05, 0x06]

    private static func describe(bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}

/// Why an archive cannot be read, in words for the user.
struct ZipArchiveError: Error, Equatable {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
