import CArchive
import Foundation

/// Hand-made (hostile) tar.gz layers for the unpack tests.
enum TarBuilder {
    enum Entry {
        case file(String, Data)
        case folder(String)
        case symlink(String, to: String)
        case hardlink(String, to: String)
        case fifo(String)
        case device(String)
    }

    struct Failure: Error { let message: String }

    static func write(_ entries: [Entry], to url: URL) throws {
        guard let archive = archive_write_new() else { throw Failure(message: "archive_write_new") }
        defer { archive_write_free(archive) }
        archive_write_add_filter_gzip(archive)
        archive_write_set_format_pax_restricted(archive)
        guard archive_write_open_filename(archive, url.path) == ARCHIVE_OK else { throw Failure(message: "open") }
        for item in entries {
            let entry = archive_entry_new()
            defer { archive_entry_free(entry) }
            var data = Data()
            switch item {
            case .file(let name, let bytes):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                data = bytes
            case .folder(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o040000)
            case .symlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o120000)
                archive_entry_set_symlink(entry, target)
            case .hardlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_hardlink(entry, target)
            case .fifo(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o010000)
            case .device(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o020000)
                archive_entry_set_rdev(entry, 0x0103)
            }
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, la_int64_t(data.count))
            guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw Failure(message: "header") }
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
        }
        archive_write_close(archive)
    }
}
