import Foundation

/// A mapped file handed to Foundation's XMLParser a chunk at a time, its pages given
/// back behind the reading: a large document never sits in memory whole.
final class MappedFileStream: InputStream {
    private let file: MappedFile
    private var offset = 0
    private var released = 0
    /// How far reading runs ahead of the released pages.
    private static let releaseStep = 1 << 20

    init(_ file: MappedFile) {
        self.file = file
        super.init(data: Data())
    }

    override func open() {}
    override func close() {}
    override var hasBytesAvailable: Bool { offset < file.count }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength: Int) -> Int {
        let count = min(maxLength, file.count - offset)
        guard count > 0, let base = file.bytes.baseAddress else { return 0 }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        offset += count
        if offset - released >= Self.releaseStep || offset == file.count {
            file.releasePages(released..<offset)
            released = offset
        }
        return count
    }
}
