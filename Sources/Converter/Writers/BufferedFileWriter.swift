import Extractor
import Foundation
import ModelPackage

/// Writes a file sequentially through a buffer, so large models are written in a few
/// big system calls without ever being whole in memory.
final class BufferedFileWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
    /// How errors name the file.
    let name: String
    private(set) var bytesWritten = 0

    /// Creates (or truncates) the file.
    init(_ url: URL, name: String) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path)
        else { throw KleverError(.save, file: name, "cannot create the file") }
        self.handle = handle
        self.name = name
        buffer.reserveCapacity(capacity)
    }

    func write(_ bytes: some Collection<UInt8>) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try checked { try handle.write(contentsOf: Data(bytes)) }
        } else {
            buffer.append(contentsOf: bytes)
        }
        bytesWritten += bytes.count
    }

    /// Small enough to stay well inside the buffer (so it is copied there, not wrapped
    /// in a Data of its own), large enough for few calls.
    private static let chunkSize = 256 << 10

    /// Copies `range` of a mapped model chunk by chunk, giving back the pages behind
    /// each chunk once written: a weight streams through, never whole in memory.
    func copy(_ range: Range<Int>, of file: MappedFile) throws {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + Self.chunkSize, range.upperBound)
            try write(UnsafeRawBufferPointer(rebasing: file.bytes[start..<end]))
            file.releasePages(start..<end)
            start = end
        }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try checked { try handle.write(contentsOf: buffer) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs to disk and closes.
    func close() throws {
        try flush()
        try checked {
            try handle.synchronize()
            try handle.close()
        }
    }

    private func checked(_ body: () throws -> Void) throws {
        do { try body() } catch { throw KleverError(.save, file: name, "cannot write: \(error.localizedDescription)") }
    }
}
