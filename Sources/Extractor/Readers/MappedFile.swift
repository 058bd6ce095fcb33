import Foundation
import ModelPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file.
///
/// Readers walk the mapped bytes and skip weight payloads without touching them, so
/// the pages behind the weights are never read and memory stays flat whatever the
/// model's size.
package final class MappedFile: @unchecked Sendable {
    /// How errors name the file.
    package let name: String
    package let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps `url`; `name` is how errors refer to it.
    package init(_ url: URL, name: String) throws {
        self.name = name
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw KleverError(.invalidPackage, file: name, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw KleverError(.invalidPackage, file: name, "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw KleverError(.invalidPackage, file: name, "cannot map: \(String(cString: strerror(errno)))")
        }
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }

    package var count: Int { bytes.count }
}
