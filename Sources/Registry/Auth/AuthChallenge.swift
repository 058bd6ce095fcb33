/// One challenge of a `WWW-Authenticate` header: a scheme and its parameters,
/// e.g. `Bearer realm="https://auth/token",service="registry",scope="repository:p/m:pull"`.
public struct AuthChallenge: Hashable, Sendable {
    /// The scheme, lowercased (`basic`, `bearer`).
    public let scheme: String
    /// Parameter names lowercased; values unquoted.
    public let parameters: [String: String]

    public init(scheme: String, parameters: [String: String] = [:]) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
    }

    /// Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1): challenges separated by
    /// commas, each a scheme followed by `name=value` pairs (quoted values may hold
    /// commas and escaped quotes) or a token68. Malformed parts are skipped, never fatal.
    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = Scanner(Array(header.utf8))
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip { $0 == UInt8(ascii: ",") || isSpace($0) }
            guard let scheme = scanner.token(), !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            scanner.skipSpaces()
            // A token68 (`Basic dXNlcg==`) carries nothing klever needs: skip it.
            let hasToken68 = scanner.token68() != nil
            while !hasToken68 {
                let mark = scanner.position
                scanner.skip { $0 == UInt8(ascii: ",") || isSpace($0) }
                guard let name = scanner.token(), !name.isEmpty else { scanner.position = mark; break }
                scanner.skipSpaces()
                guard scanner.consume(UInt8(ascii: "=")) else {
                    // A bare token: the scheme of the next challenge.
                    scanner.position = mark
                    break
                }
                scanner.skipSpaces()
                parameters[name.lowercased()] = scanner.quotedString() ?? scanner.token() ?? ""
            }
            challenges.append(AuthChallenge(scheme: scheme, parameters: parameters))
        }
        return challenges
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skip(while predicate: (UInt8) -> Bool) {
            while let byte = current, predicate(byte) { position += 1 }
        }

        mutating func skipSpaces() { skip(while: AuthChallenge.isSpace) }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            position += 1
            return true
        }

        /// An RFC 9110 token (letters, digits and ``!#$%&'*+-.^_`|~``).
        mutating func token() -> String? {
            let start = position
            skip { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
            return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
        }

        /// A token68 (base64-like, may end in '='): only when nothing but a comma or the
        /// end follows, so that `name=value` is left for the parameter parser.
        mutating func token68() -> String? {
            let start = position
            skip { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || "-._~+/".utf8.contains(byte)
            }
            guard position > start else { return nil }
            skip { $0 == UInt8(ascii: "=") }
            let end = position
            skipSpaces()
            if current == nil || current == UInt8(ascii: ",") { return String(decoding: bytes[start..<end], as: UTF8.self) }
            position = start
            return nil
        }

        /// A quoted string, unescaped; nil if the next byte is not a quote.
        mutating func quotedString() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var value: [UInt8] = []
            while let byte = current {
                position += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\"), let escaped = current {
                    value.append(escaped)
                    position += 1
                } else {
                    value.append(byte)
                }
            }
            return String(decoding: value, as: UTF8.self)
        }
    }
}
