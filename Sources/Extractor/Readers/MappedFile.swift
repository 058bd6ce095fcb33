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
    private let storage: Storage

    /// What holds the bytes, released with the file.
    private enum Storage {
        case empty
        case mapping(UnsafeMutableRawPointer)
        case buffer(UnsafeMutableRawBufferPointer)
    }

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
            storage = .empty
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw KleverError(.invalidPackage, file: name, "cannot map: \(String(cString: strerror(errno)))")
        }
        storage = .mapping(address)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// A copy of `bytes` read as a file named `name`: how the fuzz harnesses feed the
    /// readers. The copy is exactly as long as the input, so a read past its end is
    /// caught by AddressSanitizer as it would fault past a mapping.
    package init(bytes source: some Collection<UInt8>, name: String) {
        self.name = name
        guard !source.isEmpty else {
            storage = .empty
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
        buffer.copyBytes(from: source)
        storage = .buffer(buffer)
        bytes = UnsafeRawBufferPointer(buffer)
    }

    deinit {
        switch storage {
        case .empty: break
        case .mapping(let address): munmap(address, bytes.count)
        case .buffer(let buffer): buffer.deallocate()
        }
    }

    package var count: Int { bytes.count }

    /// Gives back the memory of the mapped pages wholly inside `range` (the file's
    /// pages, read again from the file if touched again), so a file read once from
    /// start to end does not stay in memory. Nothing for a copy.
    package func releasePages(_ range: Range<Int>) {
        guard case .mapping(let address) = storage else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound == count ? count : range.upperBound / page * page
        guard start < end else { return }
        madvise(address + start, end - start, MADV_DONTNEED)
    }
}
