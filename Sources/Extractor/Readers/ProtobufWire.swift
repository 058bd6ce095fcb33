import ModelPackage

/// One field of a protobuf message as it lies in the bytes.
package struct WireField {
    package enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    package let number: Int
    package let type: WireType
    /// The whole field: tag, length prefix and payload.
    package let record: Range<Int>
    /// The payload: the varint, the fixed bytes, or the length-delimited content.
    package let payload: Range<Int>
}

/// Why a byte range is not a protobuf message.
package struct WireError: Error {
    package let detail: String
    package let offset: Int
}

/// Walks the fields of one protobuf message, checking every length against the bytes
/// before using it (the input may be truncated or hostile).
package struct WireScanner {
    private let bytes: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int

    package init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.offset = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    /// The next field, or nil at the end of the message.
    package mutating func next() throws -> WireField? {
        guard offset < end else { return nil }
        let start = offset
        let tag = try varint()
        let number = Int(tag >> 3)
        guard number > 0, number <= 536_870_911 else {
            throw WireError(detail: "invalid field number \(number)", offset: start)
        }
        guard let type = WireField.WireType(rawValue: UInt8(tag & 7)) else {
            throw WireError(detail: "invalid wire type \(tag & 7)", offset: start)
        }
        let payloadStart: Int
        switch type {
        case .varint:
            payloadStart = offset
            _ = try varint()
        case .fixed64:
            payloadStart = offset
            try skip(8)
        case .fixed32:
            payloadStart = offset
            try skip(4)
        case .lengthDelimited:
            let length = try varint()
            payloadStart = offset
            guard length <= UInt64(end - offset) else {
                throw WireError(detail: "field \(number) declares \(length) bytes but only \(end - offset) remain (truncated?)", offset: start)
            }
            offset += Int(length)
        case .startGroup, .endGroup:
            throw WireError(detail: "field \(number) uses deprecated groups", offset: start)
        }
        return WireField(number: number, type: type, record: start..<offset, payload: payloadStart..<offset)
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw WireError(detail: "truncated varint", offset: offset) }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw WireError(detail: "varint longer than 10 bytes", offset: offset) }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private mutating func skip(_ count: Int) throws {
        guard end - offset >= count else { throw WireError(detail: "truncated fixed-width field", offset: offset) }
        offset += count
    }

    /// Reads a varint payload as a value (after `next()` returned a varint field).
    package static func varintValue(_ bytes: UnsafeRawBufferPointer, _ field: WireField) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in field.payload {
            value |= UInt64(bytes[index] & 0x7f) << shift
            shift += 7
        }
        return value
    }
}
