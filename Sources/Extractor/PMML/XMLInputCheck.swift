/// What in an XML document Foundation's XMLParser on Linux cannot survive, found before
/// the parser reaches it: the parser traps on bytes that are not UTF-8 where libxml2
/// hands them on unconverted, and reads a NULL pointer for a processing instruction
/// without content (`<?target?>`). Either would end the process, so such a document is
/// refused with an error instead.
///
/// The check runs just ahead of the parser (``MappedFileStream`` asks it about each
/// chunk before handing the chunk on), so the document is read once and its pages can
/// be given back behind both. Whatever it reads past the asked-for end (the rest of a
/// scalar, a marker) it reads from the mapping, never from a copy.
struct XMLInputCheck {
    private let layout: Layout
    /// Whether the bytes must be UTF-8: libxml2 converts a declared 8-bit encoding
    /// and UTF-16/UCS-4 itself.
    private let validatesUTF8: Bool
    /// Where the UTF-8 check goes on (bytes before it are UTF-8).
    private var validated = 0
    private var markup = MarkupScan()
    /// Where the XML declaration names ASCII, the bytes that make the parser read the
    /// document as UTF-8 instead: `"UTF-8"` over the quoted name, padded with spaces.
    ///
    /// Documents declared ASCII often hold UTF-8 text (a name with an accent), which
    /// JPMML reads; libxml2's ASCII decoder would stop at the first such byte, cutting
    /// the document short. Every ASCII document is UTF-8, so reading it as UTF-8 loses
    /// nothing, and the UTF-8 check covers such documents.
    let asciiPatch: (range: Range<Int>, replacement: [UInt8])?

    init(_ bytes: UnsafeRawBufferPointer) {
        layout = Layout(bytes)
        let declared = layout.unitWidth == nil ? Self.declaredEncoding(bytes) : nil
        let name = declared?.name.uppercased() ?? "UTF-8"
        let ascii = Self.asciiNames.contains(name)
        // libxml2 converts 8-bit encodings such as ISO-8859-1 itself; a Unicode name
        // over ASCII-compatible bytes is read as UTF-8, and so is ASCII (the patch).
        let converted = !name.hasPrefix("UTF") && !name.hasPrefix("UCS") && !name.hasPrefix("ISO-10646") && !ascii
        validatesUTF8 = layout.unitWidth == nil && !converted
        asciiPatch = declared.flatMap { declared in
            guard ascii else { return nil }
            let replacement = Array(#""UTF-8""#.utf8)
            return (declared.quoted, replacement + Array(repeating: 0x20, count: declared.quoted.count - replacement.count))
        }
    }

    /// Checks the document's bytes before `end`: why the document cannot be parsed, or
    /// nil while it can. Call with growing ends; each byte is looked at once.
    mutating func problem(in bytes: UnsafeRawBufferPointer, before end: Int) -> String? {
        let target: String?
        if let width = layout.unitWidth {
            // libxml2 converts UTF-16 and UCS-4 to UTF-8 itself; only the markup needs
            // a look, read as one byte per code unit: ASCII as is, others 0x80.
            let units = WideUnits(bytes: bytes, width: width, bigEndian: layout.bigEndian)
            target = markup.emptyProcessingInstruction(in: units, before: min(units.count, (end + width - 1) / width))
        } else {
            if validatesUTF8, let offset = Self.firstInvalidUTF8(bytes, from: &validated, before: end) {
                return "not UTF-8 text: the byte at offset \(offset) is not valid UTF-8 (a document in another encoding must declare it: <?xml version=\"1.0\" encoding=\"...\"?>)"
            }
            target = markup.emptyProcessingInstruction(in: bytes, before: end)
        }
        return target.map { "the processing instruction <?\($0)?> has no content, which klever's XML parser cannot read (remove it)" }
    }

    /// How libxml2 reads the document's bytes, from its first four (XML 1.0, appendix F).
    private struct Layout {
        /// Bytes per code unit of UTF-16 (2) or UCS-4 (4); nil for a byte encoding.
        var unitWidth: Int?
        var bigEndian = false

        init(_ bytes: UnsafeRawBufferPointer) {
            let head = Array(bytes.prefix(4)) + Array(repeating: 0xFF, count: max(0, 4 - bytes.count))
            switch (head[0], head[1], head[2], head[3]) {
            case (0x00, 0x00, 0xFE, 0xFF), (0x00, 0x00, 0x00, 0x3C): (unitWidth, bigEndian) = (4, true)
            case (0xFF, 0xFE, 0x00, 0x00), (0x3C, 0x00, 0x00, 0x00): (unitWidth, bigEndian) = (4, false)
            case (0xFE, 0xFF, _, _), (0x00, 0x3C, 0x00, 0x3F): (unitWidth, bigEndian) = (2, true)
            case (0xFF, 0xFE, _, _), (0x3C, 0x00, 0x3F, 0x00): (unitWidth, bigEndian) = (2, false)
            default: unitWidth = nil
            }
        }
    }

    /// A UTF-16 or UCS-4 document's code units, each read as one byte: ASCII as is,
    /// anything else 0x80.
    private struct WideUnits: RandomAccessCollection {
        let bytes: UnsafeRawBufferPointer
        let width: Int
        let bigEndian: Bool

        var startIndex: Int { 0 }
        var endIndex: Int { bytes.count / width }

        subscript(position: Int) -> UInt8 {
            var unit: UInt32 = 0
            for index in 0..<width {
                unit = unit << 8 | UInt32(bytes[position * width + (bigEndian ? index : width - 1 - index)])
            }
            return unit < 0x80 ? UInt8(unit) : 0x80
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
    /// is passed over a byte at a time, any other scalar decoded on its own (whole, where
    /// it runs past `end`).
    private static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, from offset: inout Int, before end: Int) -> Int? {
        let end = min(end, bytes.count)
        while offset < end {
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

    /// Looks for a processing instruction with nothing after its target (`<?a?>`;
    /// `<?a ?>` has empty content, which the parser takes), outside comments and CDATA
    /// sections, a part of the text at a time: where it stopped (inside a comment, say)
    /// is where the next part goes on.
    private struct MarkupScan {
        private static let comment = (open: Array("<!--".utf8), close: Array("-->".utf8))
        private static let cdata = (open: Array("<![CDATA[".utf8), close: Array("]]>".utf8))

        /// Where scanning goes on.
        private var index = 0
        /// The end marker of the comment or CDATA section the scan is in.
        private var closing: [UInt8]?

        /// The target of the first such instruction that starts before `end`.
        mutating func emptyProcessingInstruction<Text: RandomAccessCollection<UInt8>>(in text: Text, before end: Int) -> String? where Text.Index == Int {
            while index < end {
                if let marker = closing {
                    // A marker that starts before `end` is found whole, read past `end`.
                    guard let found = Self.first(marker, in: text, from: index, before: end) else {
                        index = end
                        return nil
                    }
                    index = found + marker.count
                    closing = nil
                    continue
                }
                guard let start = text[index..<end].firstIndex(of: UInt8(ascii: "<")) else {
                    index = end
                    return nil
                }
                if text[start...].starts(with: Self.comment.open) {
                    (index, closing) = (start + Self.comment.open.count, Self.comment.close)
                } else if text[start...].starts(with: Self.cdata.open) {
                    (index, closing) = (start + Self.cdata.open.count, Self.cdata.close)
                } else if start + 1 < text.endIndex, text[start + 1] == UInt8(ascii: "?") {
                    let target = text[(start + 2)...].prefix { $0 != UInt8(ascii: "?") && !isSpace($0) }
                    if !target.isEmpty, text[target.endIndex...].starts(with: Array("?>".utf8)) {
                        return String(decoding: target, as: UTF8.self)
                    }
                    index = start + 2
                } else {
                    index = start + 1
                }
            }
            return nil
        }

        /// Where `marker` first starts at or after `start` and before `end`.
        private static func first<Text: RandomAccessCollection<UInt8>>(_ marker: [UInt8], in text: Text, from start: Int, before end: Int) -> Int? where Text.Index == Int {
            var index = start
            while index < end, let candidate = text[index..<end].firstIndex(of: marker[0]) {
                if text[candidate...].starts(with: marker) { return candidate }
                index = candidate + 1
            }
            return nil
        }
    }

}

private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
