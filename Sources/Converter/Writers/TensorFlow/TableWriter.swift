import Foundation

/// Writes an immutable sorted key/value table in LevelDB's format, which TensorFlow
/// uses for a checkpoint's `.index` file: prefix-compressed data blocks with restart
/// points, an empty metaindex block, an index block and a fixed footer. Blocks are not
/// compressed; each carries a masked CRC-32C.
struct TableWriter {
    private static let restartInterval = 16
    private static let blockSize = 1 << 16
    private static let magic: UInt64 = 0xDB47_7524_8B80_FB57

    private var output: [UInt8] = []
    private var block = BlockBuilder(restartInterval: restartInterval)
    private var index = BlockBuilder(restartInterval: 1)
    private var lastKey: [UInt8]?

    /// Adds an entry; keys must come in strictly increasing byte order.
    mutating func add(key: [UInt8], value: [UInt8]) {
        if let lastKey { precondition(lastKey.lexicographicallyPrecedes(key), "table keys must be added in order") }
        block.add(key: key, value: value)
        lastKey = key
        if block.estimatedSize >= Self.blockSize { flushBlock() }
    }

    /// The table's bytes.
    mutating func finish() -> [UInt8] {
        flushBlock()
        let metaindex = writeBlock(BlockBuilder(restartInterval: Self.restartInterval).finish())
        let indexHandle = writeBlock(index.finish())
        var footer = metaindex.encoded + indexHandle.encoded
        footer += [UInt8](repeating: 0, count: 40 - footer.count)
        footer += Self.fixed32(UInt32(truncatingIfNeeded: Self.magic)) + Self.fixed32(UInt32(truncatingIfNeeded: Self.magic >> 32))
        return output + footer
    }

    private mutating func flushBlock() {
        guard !block.isEmpty, let lastKey else { return }
        let handle = writeBlock(block.finish())
        index.add(key: lastKey, value: handle.encoded)
        block = BlockBuilder(restartInterval: Self.restartInterval)
    }

    private struct BlockHandle {
        let offset: Int
        let size: Int
        var encoded: [UInt8] { StreamedMessage.varint(UInt64(offset)) + StreamedMessage.varint(UInt64(size)) }
    }

    /// Appends a block with its trailer (compression type 0 and the masked CRC of both).
    private mutating func writeBlock(_ contents: [UInt8]) -> BlockHandle {
        let handle = BlockHandle(offset: output.count, size: contents.count)
        let trailerType: [UInt8] = [0]
        var crc = CRC32C()
        contents.withUnsafeBytes { crc.update($0) }
        trailerType.withUnsafeBytes { crc.update($0) }
        output += contents + trailerType + Self.fixed32(crc.masked)
        return handle
    }

    static func fixed32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
}

/// One block: entries sharing key prefixes with the previous one, and the offsets of
/// the entries that restart with a full key.
private struct BlockBuilder {
    let restartInterval: Int
    private var buffer: [UInt8] = []
    private var restarts: [UInt32] = [0]
    private var counter = 0
    private var lastKey: [UInt8] = []

    init(restartInterval: Int) { self.restartInterval = restartInterval }

    var isEmpty: Bool { buffer.isEmpty }
    var estimatedSize: Int { buffer.count + 4 * restarts.count + 4 }

    mutating func add(key: [UInt8], value: [UInt8]) {
        var shared = 0
        if counter < restartInterval {
            while shared < min(lastKey.count, key.count), lastKey[shared] == key[shared] { shared += 1 }
        } else {
            restarts.append(UInt32(buffer.count))
            counter = 0
        }
        buffer += StreamedMessage.varint(UInt64(shared)) + StreamedMessage.varint(UInt64(key.count - shared))
            + StreamedMessage.varint(UInt64(value.count))
        buffer += key[shared...]
        buffer += value
        lastKey = key
        counter += 1
    }

    func finish() -> [UInt8] {
        buffer + restarts.flatMap(TableWriter.fixed32) + TableWriter.fixed32(UInt32(restarts.count))
    }
}
