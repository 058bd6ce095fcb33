/// One token of Python source, as much of Python's lexer as a `def` header needs.
enum PythonToken: Equatable {
    /// An identifier or a dotted name (`x`, `Tensor`, `__torch__.torch.nn.Linear`).
    case name(String)
    /// A number, a string literal (quotes kept) or any other literal text.
    case literal(String)
    /// An operator or bracket (`(`, `,`, `->`, `=`).
    case symbol(String)

    var text: String {
        switch self {
        case .name(let text), .literal(let text), .symbol(let text): text
        }
    }
}

/// Splits Python source into tokens, skipping whitespace, line breaks and comments
/// (inside a `def`'s brackets Python joins lines implicitly, and the header's end is
/// found by the parser, not by a line break).
struct PythonTokenizer {
    /// The text, walked lazily: only the header is ever read, however long the rest.
    private let text: Substring
    private var index: Substring.Index

    init<Text: StringProtocol>(_ text: Text) {
        self.text = Substring(text)
        index = self.text.startIndex
    }

    /// The next token, or nil at the end of the text.
    mutating func next() throws(PythonSyntaxError) -> PythonToken? {
        skipSpace()
        guard let first = peek(0) else { return nil }
        if first == "_" || first.isLetter {
            return .name(dottedName())
        }
        if first.isNumber || (first == "." && peek(1)?.isNumber == true) {
            return .literal(number())
        }
        if first == "'" || first == "\"" {
            return .literal(try stringLiteral())
        }
        for symbol in ["->", "**", "//", "==", "!=", "<=", ">=", ":="] where matches(symbol) {
            advance(symbol.count)
            return .symbol(symbol)
        }
        advance(1)
        return .symbol(String(first))
    }

    private func peek(_ distance: Int) -> Character? {
        guard let position = text.index(index, offsetBy: distance, limitedBy: text.endIndex), position < text.endIndex else {
            return nil
        }
        return text[position]
    }

    private mutating func advance(_ count: Int) {
        index = text.index(index, offsetBy: count, limitedBy: text.endIndex) ?? text.endIndex
    }

    private func matches(_ symbol: String) -> Bool {
        text[index...].hasPrefix(symbol)
    }

    private mutating func skipSpace() {
        while let character = peek(0) {
            if character == "#" {
                while let next = peek(0), !next.isNewline { advance(1) }
            } else if character.isWhitespace || (character == "\\" && peek(1)?.isNewline == true) {
                advance(1)
            } else {
                return
            }
        }
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || character.isLetter || character.isNumber
    }

    private mutating func dottedName() -> String {
        let start = index
        while let character = peek(0) {
            if Self.isNameCharacter(character) {
                advance(1)
            } else if character == ".", let next = peek(1), next == "_" || next.isLetter {
                advance(1)
            } else {
                break
            }
        }
        return String(text[start..<index])
    }

    private mutating func number() -> String {
        let start = index
        var previous: Character?
        while let character = peek(0) {
            let isExponentSign = (character == "+" || character == "-") && (previous == "e" || previous == "E")
            guard Self.isNameCharacter(character) || character == "." || isExponentSign else { break }
            previous = character
            advance(1)
        }
        return String(text[start..<index])
    }

    /// A quoted string (single or triple quotes, backslash escapes), quotes kept.
    private mutating func stringLiteral() throws(PythonSyntaxError) -> String {
        let start = index
        let quote = text[index]
        let closing = String(repeating: quote, count: peek(1) == quote && peek(2) == quote ? 3 : 1)
        advance(closing.count)
        while let character = peek(0) {
            if character == "\\" {
                advance(2)
            } else if matches(closing) {
                advance(closing.count)
                return String(text[start..<index])
            } else if closing.count == 1, character.isNewline {
                break
            } else {
                advance(1)
            }
        }
        throw PythonSyntaxError("unterminated string literal")
    }
}

/// Why Python source does not read as expected.
struct PythonSyntaxError: Error, Equatable {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
