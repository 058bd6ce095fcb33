/// A JSON parser for configs written by Python's `json` module: standard JSON plus the
/// `NaN`, `Infinity` and `-Infinity` Python writes for non-finite floats.
///
/// Foundation's JSONDecoder takes seconds to build a generic tree of a large config
/// (one try per type at every value) and JSONSerialization rejects `NaN`; this single
/// pass over the bytes does neither. Nesting is bounded, so a hostile document cannot
/// exhaust the stack.
struct JSONParser {
    /// Deeper nesting is refused (Keras configs nest a few dozen levels).
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var position = 0

    static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the document") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) deep") }
        skipWhitespace()
        guard let byte = peek() else { throw error("unexpected end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N"): return try literal("NaN", .number(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .number(.infinity))
        default: return .number(try number())
        }
    }

    private mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            // As in Python, a repeated name keeps its last value.
            members[key] = try value(depth: depth + 1)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws(JSONError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes, the bytes are the string.
        while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { position += 1 }
        guard let stop = peek() else { throw error("unterminated string") }
        if stop == UInt8(ascii: "\"") {
            position += 1
            return String(decoding: bytes[start..<position - 1], as: UTF8.self)
        }
        var text = Array(bytes[start..<position])
        while let byte = peek() {
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"): try escape(into: &text)
            default: text.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func escape(into text: inout [UInt8]) throws(JSONError) {
        guard let byte = peek() else { throw error("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0c)
        case UInt8(ascii: "n"): text.append(0x0a)
        case UInt8(ascii: "r"): text.append(0x0d)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            // A UTF-16 surrogate pair, as Python escapes characters beyond the BMP.
            if (0xd800..<0xdc00).contains(scalar), bytes[position...].starts(with: Array("\\u".utf8)) {
                position += 2
                let low = try hex4()
                scalar = (0xdc00..<0xe000).contains(low) ? 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00) : 0xfffd
            }
            text += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{fffd}")).utf8)
        default: throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard position + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        position += 4
        return value
    }

    private mutating func number() throws(JSONError) -> Double {
        let start = position
        if peek() == UInt8(ascii: "-") {
            position += 1
            if peek() == UInt8(ascii: "I") {
                _ = try literal("Infinity", .null)
                return -.infinity
            }
        }
        while let byte = peek(), Self.isNumeral(byte) { position += 1 }
        guard position > start, let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            position = start
            throw error("unexpected character")
        }
        return value
    }

    /// A byte that may appear in a number (its grammar is left to `Double.init`).
    private static func isNumeral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONError) -> JSONValue {
        let spelling = Array(word.utf8)
        guard bytes[position...].starts(with: spelling) else { throw error("unexpected character") }
        position += spelling.count
        return value
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { position += 1 }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func error(_ what: String) -> JSONError {
        JSONError(detail: "\(what) at byte \(position)")
    }
}
