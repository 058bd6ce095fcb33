/// What klever checks of an XML document's bytes before libxml2 parses them.
///
/// Bytes that are not UTF-8 in a document read as UTF-8: libxml2 reports the first such
/// byte as "a character XML does not allow" and then reads the rest as Latin-1; klever
/// refuses the document instead, naming the byte's offset and what to do about it. The
/// check runs a chunk ahead of the parser (``XMLStream`` asks it about each chunk before
/// pushing it), so the document is read once and its pages can be given back behind
/// both; the rest of a scalar cut by a chunk's end is read from the mapping, never
/// copied.
struct XMLInputCheck {
    /// Whether the bytes must be UTF-8: libxml2 converts a declared 8-bit encoding
    /// and UTF-16/UCS-4 itself.
    private let validatesUTF8: Bool
    /// Where the UTF-8 check goes on (bytes before it are UTF-8).
    private var validated = 0
    /// Where the XML declaration names ASCII, the bytes that make the parser read the
    /// document as UTF-8 instead: `"UTF-8"` over the quoted name, padded with spaces.
    ///
    /// Documents declared ASCII often hold UTF-8 text (a name with an accent), which
    /// JPMML reads; libxml2's ASCII decoder would stop at the first such byte, cutting
    /// the document short. Every ASCII document is UTF-8, so reading it as UTF-8 loses
    /// nothing, and the UTF-8 check covers such documents.
    let asciiPatch: (range: Range<Int>, replacement: [UInt8])?

    init(_ bytes: UnsafeRawBufferPointer) {
        let isByteEncoded = !Self.isWideEncoded(bytes)
        let declared = isByteEncoded ? Self.declaredEncoding(bytes) : nil
        let name = declared?.name.uppercased() ?? "UTF-8"
        let ascii = Self.asciiNames.contains(name)
        // libxml2 converts 8-bit encodings such as ISO-8859-1 itself; a Unicode name
        // over ASCII-compatible bytes is read as UTF-8, and so is ASCII (the patch).
        let converted = !name.hasPrefix("UTF") && !name.hasPrefix("UCS") && !name.hasPrefix("ISO-10646") && !ascii
        validatesUTF8 = isByteEncoded && !converted
        asciiPatch = declared.flatMap { declared in
            guard ascii else { return nil }
            let replacement = Array(#""UTF-8""#.utf8)
            return (declared.quoted, replacement + Array(repeating: 0x20, count: declared.quoted.count - replacement.count))
        }
    }

    /// Checks the document's bytes before `end`: why the document cannot be parsed, or
    /// nil while it can. Call with growing ends; each byte is looked at once.
    mutating func problem(in bytes: UnsafeRawBufferPointer, before end: Int) -> String? {
        guard validatesUTF8, let offset = Self.firstInvalidUTF8(bytes, from: &validated, before: end) else { return nil }
        return "not UTF-8 text: the byte at offset \(offset) is not valid UTF-8 (a document in another encoding must declare it: <?xml version=\"1.0\" encoding=\"...\"?>)"
    }

    /// Whether libxml2 reads the document as UTF-16 or UCS-4, from its first four bytes
    /// (XML 1.0, appendix F): a byte order mark, or `<` (and `?`) as wide code units.
    private static func isWideEncoded(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let head = Array(bytes.prefix(4)) + Array(repeating: 0xFF, count: max(0, 4 - bytes.count))
        switch (head[0], head[1], head[2], head[3]) {
        case (0x00, 0x00, 0xFE, 0xFF), (0x00, 0x00, 0x00, 0x3C), (0xFF, 0xFE, 0x00, 0x00), (0x3C, 0x00, 0x00, 0x00),
             (0xFE, 0xFF, _, _), (0x00, 0x3C, 0x00, 0x3F), (0xFF, 0xFE, _, _), (0x3C, 0x00, 0x3F, 0x00):
            return true
        default:
            return false
        }
    }

    /// The names of ASCII long enough to be overwritten by "UTF-8" (ANSI_X3.4-1968 is
    /// what Python calls ASCII in the C locale).
    private static let asciiNames: Set<String> = ["ASCII", "US-ASCII", "ANSI_X3.4-1968"]

    /// The encoding the XML declaration names and where its quoted name lies. Only a
    /// declaration exactly of XML 1.0's grammar counts (`<?xml` VersionInfo
    /// EncodingDecl, [23]-[24], [80]-[81]): libxml2 reads anything else (a processing
    /// instruction `<?xmlfoo`, a broken declaration) as UTF-8.
    private static func declaredEncoding(_ bytes: UnsafeRawBufferPointer) -> (name: String, quoted: Range<Int>)? {
        var scanner = DeclarationScanner(Array(bytes.prefix(1024)))
        guard scanner.take("<?xml"), scanner.skipSpace(), scanner.take("version"), scanner.takeEquals(),
              let version = scanner.quoted(), version.hasPrefix("1."), version.count > 2,
              version.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }),
              scanner.skipSpace(), scanner.take("encoding"), scanner.takeEquals()
        else { return nil }
        let start = scanner.index
        guard let name = scanner.quoted(), let first = name.first, first.isASCII, first.isLetter,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else { return nil }
        return (name, start..<scanner.index)
    }

    /// Reads the XML declaration's tokens from the document's first bytes.
    private struct DeclarationScanner {
        private let bytes: [UInt8]
        private(set) var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        /// Takes `text` where the scanner is.
        mutating func take(_ text: String) -> Bool {
            let expected = Array(text.utf8)
            guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected) else { return false }
            index += expected.count
            return true
        }

        /// Skips XML white space (S, [3]); false when there is none.
        mutating func skipSpace() -> Bool {
            let start = index
            while index < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index]) { index += 1 }
            return index > start
        }

        /// Eq ([25]): S? '=' S?
        mutating func takeEquals() -> Bool {
            _ = skipSpace()
            guard take("=") else { return false }
            _ = skipSpace()
            return true
        }

        /// A value in single or double quotes.
        mutating func quoted() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return nil }
            let quote = bytes[index]
            guard let end = bytes[(index + 1)...].firstIndex(of: quote) else { return nil }
            let value = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            index = end + 1
            return value
        }
    }

    /// The offset of the first byte before `end` that is not UTF-8, going on from
    /// `offset` (left after the last scalar checked), without a copy of the text: ASCII
    /// is passed over eight bytes at a time where it can be, any other scalar decoded on
    /// its own (whole, where it runs past `end`).
    private static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, from offset: inout Int, before end: Int) -> Int? {
        let end = min(end, bytes.count)
        while offset < end {
            if end - offset >= 8, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                offset += 8
                continue
            }
            guard bytes[offset] >= 0x80 else {
                offset += 1
                continue
            }
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes[offset...].makeIterator()
            guard case .valid(let scalar) = parser.parseScalar(from: &iterator) else { return offset }
            offset += scalar.count
        }
        return nil
    }
}
