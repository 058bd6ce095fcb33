import Foundation

/// A mapped file handed to Foundation's XMLParser a chunk at a time, each chunk checked
/// by ``XMLInputCheck`` before the parser sees it and its pages given back behind the
/// reading: a large document is read once and never sits in memory whole.
final class MappedFileStream: InputStream {
    private let file: MappedFile
    /// Bytes the parser reads in place of the file's (an encoding declaration).
    private let patch: (range: Range<Int>, replacement: [UInt8])?
    private var check: XMLInputCheck
    /// Why the stream stopped short: what the check found the parser cannot survive.
    private(set) var problem: String?
    private var offset = 0
    private var released = 0
    /// Set once the reader needs nothing more.
    private var finished = false
    /// How far reading runs ahead of the released pages.
    private static let releaseStep = 1 << 20

    init(_ file: MappedFile) {
        self.file = file
        check = XMLInputCheck(file.bytes)
        patch = check.asciiPatch
        super.init(data: Data())
    }

    /// Ends the stream where it is: the rest of the document is not wanted.
    func finish() {
        finished = true
        file.releasePages(released..<file.count)
    }

    override func open() {}
    override func close() {}
    override var hasBytesAvailable: Bool { !finished && problem == nil && offset < file.count }

    /// 0 ends the stream, for a problem too: XMLParser on Linux traps on -1.
    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength: Int) -> Int {
        guard hasBytesAvailable else { return 0 }
        let count = min(maxLength, file.count - offset)
        guard count > 0, let base = file.bytes.baseAddress else { return 0 }
        if let problem = check.problem(in: file.bytes, before: offset + count) {
            self.problem = problem
            finish()
            return 0
        }
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
