import SwiftProtobuf

/// A protobuf message written as a stream: its small fields already encoded, its large
/// payloads (weights) written straight to the file when their turn comes. Sizes are
/// known up front, so length prefixes are exact and nothing large is ever buffered.
struct StreamedMessage {
    private enum Chunk {
        case encoded([UInt8])
        case payload(count: Int, write: (BufferedFileWriter) throws -> Void)
        case message(StreamedMessage)
    }

    private var chunks: [Chunk] = []
    /// The encoded size in bytes.
    private(set) var size = 0

    init() {}

    /// Starts from a message's own encoding (its small fields).
    init(_ message: some SwiftProtobuf.Message) throws {
        try append(encoded: message.serializedBytes())
    }

    mutating func append(encoded bytes: [UInt8]) {
        chunks.append(.encoded(bytes))
        size += bytes.count
    }

    /// A length-delimited field whose `count` bytes `write` produces later.
    mutating func appendBytesField(_ number: Int, count: Int, write: @escaping (BufferedFileWriter) throws -> Void) {
        append(encoded: Self.tag(number) + Self.varint(UInt64(count)))
        chunks.append(.payload(count: count, write: write))
        size += count
    }

    /// A message-typed field.
    mutating func appendMessageField(_ number: Int, _ message: StreamedMessage) {
        append(encoded: Self.tag(number) + Self.varint(UInt64(message.size)))
        chunks.append(.message(message))
        size += message.size
    }

    func write(to writer: BufferedFileWriter) throws {
        for chunk in chunks {
            switch chunk {
            case .encoded(let bytes): try writer.write(bytes)
            case .message(let message): try message.write(to: writer)
            case .payload(let count, let write):
                let before = writer.bytesWritten
                try write(writer)
                precondition(writer.bytesWritten - before == count, "a streamed payload wrote other than its declared size")
            }
        }
    }

    /// The tag of a length-delimited field.
    private static func tag(_ number: Int) -> [UInt8] { varint(UInt64(number) << 3 | 2) }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }
}
