import Foundation

/// A mapped file handed to Foundation's XMLParser a chunk at a time, its pages given
/// back behind the reading: a large document never sits in memory whole.
final class MappedFileStream: InputStream {
    private let file: MappedFile
    /// Bytes the parser reads in place of the file's (an encoding declaration).
    private let patch: (range: Range<Int>, replacement: [UInt8])?
    private var offset = 0
    private var released = 0
    /// How far reading runs ahead of the released pages.
    private static let releaseStep = 1 << 20

    init(_ file: MappedFile, patch: (range: Range<Int>, replacement: [UInt8])? = nil) {
        self.file = file
        self.patch = patch
        super.init(data: Data())
    }

    override func open() {}
    override func close() {}
    override var hasBytesAvailable: Bool { offset < file.count }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength: Int) -> Int {
        let count = min(maxLength, file.count - offset)
        guard count > 0, let base = file.bytes.baseAddress else { return 0 }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        if let patch {
            for index in patch.range.clamped(to: offset..<offset + count) {
                buffer[index - offset] = patch.replacement[index - patch.range.lowerBound]
            }
        }
        offset += count
        if offset - released >= Self.releaseStep || offset == file.count {
            file.releasePages(released..<offset)
            released = offset
        }
        return count
    }
}
