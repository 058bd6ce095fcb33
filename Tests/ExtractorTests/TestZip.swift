/// Writes small zip archives for tests, including broken ones: entries may be
/// "deflated" (as stored deflate blocks, so any inflated size can be made without a
/// compressor) and may declare a wrong size or CRC.
struct TestZip {
    struct Entry {
        var path: String
        var data: [UInt8]
        var deflated = false
        /// The uncompressed size the headers declare (default: the true one).
        var declaredSize: Int?
        /// The CRC-32 the headers declare (default: the true one).
        var declaredCRC: UInt32?
    }

    var entries: [Entry] = []

    mutating func add(_ path: String, _ data: [UInt8], deflated: Bool = false, declaredSize: Int? = nil, declaredCRC: UInt32? = nil) {
        entries.append(Entry(path: path, data: data, deflated: deflated, declaredSize: declaredSize, declaredCRC: declaredCRC))
    }

    mutating func add(_ path: String, _ text: String) {
        add(path, Array(text.utf8))
    }

    var bytes: [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let payload = entry.deflated ? Self.storedDeflate(entry.data) : entry.data
            var fields: [UInt8] = []
            fields.le(UInt16(20))
            fields.le(UInt16(0))
            fields.le(UInt16(entry.deflated ? 8 : 0))
            fields.le(UInt16(0))  // time
            fields.le(UInt16(0x21))  // date: 1980-01-01
            fields.le(entry.declaredCRC ?? Self.crc32(entry.data))
            fields.le(UInt32(payload.count))
            fields.le(UInt32(entry.declaredSize ?? entry.data.count))
            fields.le(UInt16(entry.path.utf8.count))
            fields.le(UInt16(0))  // extra length

            central.le(UInt32(0x0201_4b50))
            central.le(UInt16(20))  // made by
            central += fields
            central.le(UInt16(0))  // comment length
            central.le(UInt16(0))  // disk
            central.le(UInt16(0))  // internal attributes
            central.le(UInt32(0o100644 << 16))  // external attributes: a regular file
            central.le(UInt32(output.count))
            central += Array(entry.path.utf8)

            output.le(UInt32(0x0403_4b50))
            output += fields
            output += Array(entry.path.utf8)
            output += payload
        }
        let centralOffset = output.count
        output += central
        output.le(UInt32(0x0605_4b50))
        output.le(UInt16(0))
        output.le(UInt16(0))
        output.le(UInt16(entries.count))
        output.le(UInt16(entries.count))
        output.le(UInt32(central.count))
        output.le(UInt32(centralOffset))
        output.le(UInt16(0))
        return output
    }

    /// Data as a deflate stream of stored (uncompressed) blocks.
    private static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var start = 0
        repeat {
            let end = min(start + 65535, data.count)
            output.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00
            output.le(UInt16(end - start))
            output.le(~UInt16(end - start))
            output += data[start..<end]
            start = end
        } while start < data.count
        return output
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension [UInt8] {
    fileprivate mutating func le<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
