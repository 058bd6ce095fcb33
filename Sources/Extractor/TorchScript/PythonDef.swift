/// The header of a Python `def` as TorchScript's code printer writes it:
///
/// ```
/// def forward(self: __torch__.Net,
///     x: Tensor,
///     y: Optional[Tensor]=None) -> Tuple[Tensor, Tensor]:
/// ```
///
/// Parsed from tokens, so a header may span lines and types and defaults may nest
/// brackets or hold strings with commas. Nothing is evaluated: defaults are skipped.
struct PythonDef: Equatable {
    struct Parameter: Equatable {
        let name: String
        /// The annotation as TorchScript writes types (`Optional[Tensor]`), nil when absent.
        let type: String?
    }

    let name: String
    /// Every parameter, the method's receiver (`self`, whatever it is called) included.
    let parameters: [Parameter]
    /// The return annotation, nil when absent.
    let returnType: String?
    /// The return annotation's tokens, for ``returnElements``.
    private let returnTokens: [PythonToken]?

    /// Parses the header at the start of `text` (from `def` to its closing `:`).
    init<Text: StringProtocol>(parsing text: Text) throws(PythonSyntaxError) {
        var parser = Parser(tokens: PythonTokenizer(text))
        guard try parser.next() == .name("def") else { throw PythonSyntaxError("expected 'def'") }
        guard case .name(let name)? = try parser.next() else { throw PythonSyntaxError("expected a function name after 'def'") }
        guard try parser.next() == .symbol("(") else { throw PythonSyntaxError("expected '(' after 'def \(name)'") }
        var parameters: [Parameter] = []
        var closed = false
        while !closed {
            let (tokens, end) = try parser.collect(until: [",", ")"])
            closed = end == ")"
            // `def f()` and a trailing comma leave nothing before the `)`.
            guard !tokens.isEmpty else {
                if closed { continue }
                throw PythonSyntaxError("empty parameter in '\(name)'")
            }
            if let parameter = try Self.parameter(tokens) { parameters.append(parameter) }
        }
        self.name = name
        self.parameters = parameters
        switch try parser.next() {
        case .symbol("->"):
            let (tokens, _) = try parser.collect(until: [":"])
            guard !tokens.isEmpty else { throw PythonSyntaxError("empty return annotation") }
            returnTokens = tokens
        case .symbol(":"):
            returnTokens = nil
        default:
            throw PythonSyntaxError("expected '->' or ':' after the parameters of '\(name)'")
        }
        returnType = returnTokens.map(Self.render)
    }

    /// What the function returns, one type per value: a `Tuple[...]`'s element types,
    /// nothing for `None`/`NoneType` or `Tuple[()]`, otherwise the one return type.
    var returnElements: [String] {
        guard let tokens = returnTokens else { return [] }
        if tokens == [.name("None")] || tokens == [.name("NoneType")] { return [] }
        guard tokens.count >= 3, [PythonToken.name("Tuple"), .name("tuple")].contains(tokens[0]),
              tokens[1] == .symbol("["), tokens.last == .symbol("]")
        else { return [Self.render(tokens)] }
        let inner = Array(tokens[2..<(tokens.count - 1)])
        if inner == [.symbol("("), .symbol(")")] { return [] }
        return Self.split(inner).map(Self.render)
    }

    /// One parameter from its tokens (`x`, `x: Tensor`, `n: int=1`, `*args`); nil for
    /// the bare `*` and `/` markers.
    private static func parameter(_ tokens: [PythonToken]) throws(PythonSyntaxError) -> Parameter? {
        if tokens == [.symbol("/")] { return nil }
        let tokens = tokens.drop { $0 == .symbol("*") || $0 == .symbol("**") }
        guard let first = tokens.first else { return nil }
        guard case .name(let name) = first, !name.contains(".") else {
            throw PythonSyntaxError("expected a parameter name, found '\(first.text)'")
        }
        let rest = tokens.dropFirst()
        guard rest.first == .symbol(":") else { return Parameter(name: name, type: nil) }
        let annotation = split(Array(rest.dropFirst()), at: "=")[0]
        guard !annotation.isEmpty else { throw PythonSyntaxError("empty annotation of parameter '\(name)'") }
        return Parameter(name: name, type: render(annotation))
    }

    /// Splits tokens at a symbol outside brackets.
    private static func split(_ tokens: [PythonToken], at separator: String = ",") -> [[PythonToken]] {
        var parts: [[PythonToken]] = [[]]
        var depth = 0
        for token in tokens {
            if token == .symbol(separator), depth == 0 {
                parts.append([])
                continue
            }
            depth += Parser.depthChange(token)
            parts[parts.count - 1].append(token)
        }
        return parts
    }

    /// A type as TorchScript prints it: no spaces but after commas, and `torch.Tensor`
    /// written `Tensor` (the printer's own spelling; a hand-written file may qualify it).
    private static func render(_ tokens: [PythonToken]) -> String {
        tokens.map { token in
            switch token {
            case .name(let name) where name.hasPrefix("torch."): String(name.dropFirst("torch.".count))
            case .symbol(","): ", "
            default: token.text
            }
        }.joined()
    }
}

/// Pulls tokens and groups them by bracket depth.
private struct Parser {
    var tokens: PythonTokenizer

    mutating func next() throws(PythonSyntaxError) -> PythonToken? {
        try tokens.next()
    }

    /// The tokens up to the first of `ends` outside brackets, and which end it was.
    mutating func collect(until ends: [String]) throws(PythonSyntaxError) -> ([PythonToken], String) {
        var collected: [PythonToken] = []
        var depth = 0
        while let token = try tokens.next() {
            if depth == 0, case .symbol(let symbol) = token, ends.contains(symbol) {
                return (collected, symbol)
            }
            depth += Self.depthChange(token)
            guard depth >= 0 else { throw PythonSyntaxError("unbalanced '\(token.text)'") }
            collected.append(token)
        }
        throw PythonSyntaxError("the header ends before its '\(ends.joined(separator: "' or '"))'")
    }

    static func depthChange(_ token: PythonToken) -> Int {
        switch token {
        case .symbol("("), .symbol("["), .symbol("{"): 1
        case .symbol(")"), .symbol("]"), .symbol("}"): -1
        default: 0
        }
    }
}
