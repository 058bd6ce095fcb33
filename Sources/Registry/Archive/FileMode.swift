import Foundation

/// POSIX file type bits (the same in tar headers, libarchive and `stat`), spelled out:
/// the C macros reach Swift through two modules and are ambiguous.
enum FileMode {
    static let typeMask: mode_t = 0o170000
    static let regular: mode_t = 0o100000
    static let directory: mode_t = 0o040000
    static let symbolicLink: mode_t = 0o120000

    /// The type bits of a `stat` result.
    static func type(of path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & typeMask : nil
    }
}
