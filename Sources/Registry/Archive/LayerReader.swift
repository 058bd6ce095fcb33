import CArchive
import Foundation
import ModelPackage

/// What an unpacked layer may hold at most (a small compressed layer can inflate to
/// anything: these stop it before the disk fills).
public struct UnpackLimits: Sendable {
    /// Total bytes of all files.
    public var maxBytes: Int64
    /// Entries of any kind.
    public var maxEntries: Int

    public init(maxBytes: Int64 = 64 << 30, maxEntries: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }
}

/// Unpacks a layer (a tar, gzip'd or not) safely, streaming it with libarchive.
///
/// Refused, failing the whole unpack: absolute names, `..` components, entries outside
/// the required top folder, entries written through a symbolic link, symbolic links
/// that are absolute, climb out of the destination or point through another link,
/// hard links to anything but a file unpacked before, devices, FIFOs and sockets,
/// a name given twice, and more bytes or entries than the limits.
public enum LayerReader {
    /// Unpacks `archive` into `folder`, an empty folder the caller owns (a temporary one
    /// to rename into place: on failure its content is undefined). With `root`, every
    /// entry must lie under that top folder (`model`). `display` names the layer in
    /// errors. Returns the names of the files written, in archive order.
    @discardableResult
    public static func extract(
        _ archive: URL, into folder: URL, under root: String?, limits: UnpackLimits = UnpackLimits(), display: String
    ) throws -> [String] {
        guard let reader = archive_read_new() else { throw KleverError(.unpack, file: display, "libarchive cannot start a reader") }
        defer { archive_read_free(reader) }
        archive_read_support_filter_gzip(reader)
        archive_read_support_format_tar(reader)
        guard archive_read_open_filename(reader, archive.path, FileChunks.chunkSize) == ARCHIVE_OK else {
            throw KleverError(.unpack, file: display, "cannot read the layer: \(message(reader))")
        }
        var unpacker = Unpacker(folder: folder, root: root, limits: limits, display: display)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileChunks.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else {
                throw KleverError(.unpack, file: display, "not a valid tar.gz layer: \(message(reader))")
            }
            try unpacker.add(entry) { write in
                while true {
                    let count = archive_read_data(reader, buffer.baseAddress, buffer.count)
                    guard count >= 0 else { throw KleverError(.unpack, file: display, "the layer is corrupt: \(message(reader))") }
                    if count == 0 { return }
                    try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                }
            }
        }
        try unpacker.checkLinks()
        return unpacker.files
    }

    private static func message(_ reader: OpaquePointer) -> String {
        archive_error_string(reader).map { String(cString: $0) } ?? "libarchive error"
    }
}

/// The state of one unpack: what was written, how much, which links to check.
private struct Unpacker {
    let folder: URL
    let root: String?
    let limits: UnpackLimits
    let display: String
    private(set) var files: [String] = []
    private var bytes: Int64 = 0
    private var entries = 0
    /// Symbolic links made, with every path following them walks through.
    private var links: [(name: String, walk: [[String]])] = []

    init(folder: URL, root: String?, limits: UnpackLimits, display: String) {
        self.folder = folder
        self.root = root
        self.limits = limits
        self.display = display
    }

    /// Unpacks one entry; `readData` streams its bytes into the given writer.
    mutating func add(_ entry: OpaquePointer, readData: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let name = (archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)).map { String(cString: $0) } ?? ""
        func refuse(_ reason: String) -> KleverError {
            KleverError(.unpack, file: display, "refused entry '\(name.prefix(200))': \(reason)")
        }
        entries += 1
        guard entries <= limits.maxEntries else { throw refuse("the layer has more than \(limits.maxEntries) entries") }
        let parts: [String]
        switch ArchivePath.components(of: name) {
        case .success(let found): parts = found
        case .failure(let refusal): throw refuse(refusal.reason)
        }
        if let root, parts[0] != root { throw refuse("it is outside \(root)/") }
        try makeParents(parts, refuse: refuse)
        let path = self.path(parts)

        if let hardlink = archive_entry_hardlink_utf8(entry) ?? archive_entry_hardlink(entry) {
            let target: [String]
            switch ArchivePath.components(of: String(cString: hardlink)) {
            case .success(let found): target = found
            case .failure(let refusal): throw refuse("hard link: \(refusal.reason)")
            }
            guard FileMode.type(of: self.path(target)) == FileMode.regular, !target.isEmpty, root == nil || target[0] == root else {
                throw refuse("it is a hard link to something that is not a file unpacked before")
            }
            guard link(self.path(target), path) == 0 else { throw refuse(errno == EEXIST ? "its name is given twice" : posix()) }
            files.append(parts.joined(separator: "/"))
            return
        }

        switch mode_t(archive_entry_filetype(entry)) {
        case FileMode.regular:
            let declared = archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : 0
            guard declared <= limits.maxBytes - bytes else { throw refuse(sizeLimit) }
            let perm: mode_t = archive_entry_perm(entry) & 0o111 != 0 ? 0o755 : 0o644
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm)
            guard fd >= 0 else { throw refuse(errno == EEXIST ? "its name is given twice" : posix()) }
            defer { close(fd) }
            try readData { chunk in
                bytes += Int64(chunk.count)
                guard bytes <= limits.maxBytes else { throw refuse(sizeLimit) }
                var done = 0
                while done < chunk.count {
                    let count = write(fd, chunk.baseAddress! + done, chunk.count - done)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { throw KleverError(.unpack, file: path, "cannot write: \(posix())") }
                    done += count
                }
            }
            files.append(parts.joined(separator: "/"))
        case FileMode.directory:
            if mkdir(path, 0o755) != 0 {
                guard errno == EEXIST, FileMode.type(of: path) == FileMode.directory else { throw refuse(posix()) }
            }
        case FileMode.symbolicLink:
            let target = (archive_entry_symlink_utf8(entry) ?? archive_entry_symlink(entry)).map { String(cString: $0) } ?? ""
            switch ArchivePath.walk(linkTarget: target, from: parts) {
            case .success(let walk): links.append((parts.joined(separator: "/"), walk))
            case .failure(let refusal): throw refuse(refusal.reason)
            }
            guard symlink(target, path) == 0 else { throw refuse(errno == EEXIST ? "its name is given twice" : posix()) }
        default:
            throw refuse("it is a device, FIFO or socket")
        }
    }

    /// Once every entry is in place: following a link may not pass through (or land on)
    /// another link, so that each one resolves exactly where its text says, inside the
    /// destination.
    func checkLinks() throws {
        for link in links where link.walk.contains(where: { !$0.isEmpty && FileMode.type(of: path($0)) == FileMode.symbolicLink }) {
            throw KleverError(.unpack, file: display, "refused entry '\(link.name)': it points through another symbolic link")
        }
    }

    /// Creates the folders above an entry; none may be a symbolic link or a file.
    private func makeParents(_ parts: [String], refuse: (String) -> KleverError) throws {
        for depth in 1..<parts.count {
            let parent = path(Array(parts.prefix(depth)))
            switch FileMode.type(of: parent) {
            case nil:
                guard mkdir(parent, 0o755) == 0 else { throw refuse(posix()) }
            case FileMode.directory:
                continue
            case FileMode.symbolicLink:
                throw refuse("it would be written through a symbolic link")
            default:
                throw refuse("a file stands where its folder should be")
            }
        }
    }

    private func path(_ parts: [String]) -> String { ([folder.path] + parts).joined(separator: "/") }

    private var sizeLimit: String { "the layer unpacks to more than \(limits.maxBytes) bytes" }

    private func posix() -> String { String(cString: strerror(errno)) }
}
