/// The classes a TorchScript archive's `code/` defines, found by their headers.
///
/// TorchScript prints each Python module of classes as a file, `code/__torch__/a/b.py`
/// for `__torch__.a.b`, with every class at column 0 and its body indented:
///
/// ```
/// class Net(Module):
///   ...
///   def forward(self: __torch__.Net,
///     x: Tensor) -> Tensor:
/// ```
struct TorchScriptCode {
    struct ClassDefinition {
        /// `__torch__.torch.nn.modules.linear.Linear`
        let qualifiedName: String
        /// Where it is defined, relative to the archive's top folder (`code/__torch__.py`).
        let file: String
        /// Whether it derives from `Module` (a custom TorchScript class does not).
        let isModule: Bool
        /// The indented lines after the header.
        let body: Substring
    }

    private let classes: [String: ClassDefinition]

    /// Indexes sources keyed by their path under `code/` (`__torch__/torch/nn/modules/conv.py`).
    init(sources: [String: String]) {
        var classes: [String: ClassDefinition] = [:]
        for (path, source) in sources {
            let module = String(path.dropLast(".py".count).map { $0 == "/" ? "." : $0 })
            for definition in Self.classes(in: source, module: module, file: "code/" + path) {
                classes[definition.qualifiedName] = definition
            }
        }
        self.classes = classes
    }

    func definition(of qualifiedName: String) -> ClassDefinition? {
        classes[qualifiedName]
    }

    /// The file that defines a class (`__torch__.a.b.C` -> `code/__torch__/a/b.py`).
    static func file(defining qualifiedName: String) -> String {
        "code/" + qualifiedName.split(separator: ".").dropLast().joined(separator: "/") + ".py"
    }

    /// Whether objects of this class are modules (and so nodes of the module tree).
    func isModule(_ qualifiedName: String) -> Bool {
        classes[qualifiedName]?.isModule == true
    }

    private static func classes(in source: String, module: String, file: String) -> [ClassDefinition] {
        var definitions: [ClassDefinition] = []
        var header: (name: String, isModule: Bool, bodyStart: String.Index)?
        func close(at end: String.Index) {
            guard let open = header else { return }
            definitions.append(ClassDefinition(
                qualifiedName: module + "." + open.name, file: file, isModule: open.isModule,
                body: source[open.bodyStart..<end]))
        }
        var lineStart = source.startIndex
        while lineStart < source.endIndex {
            let lineEnd = source[lineStart...].firstIndex(where: \.isNewline) ?? source.endIndex
            let next = lineEnd < source.endIndex ? source.index(after: lineEnd) : lineEnd
            let line = source[lineStart..<lineEnd]
            // A line at column 0 ends the class before it; a `class` line opens one.
            if let first = line.first, !first.isWhitespace {
                close(at: lineStart)
                header = nil
                if line.hasPrefix("class "), let parsed = parseHeader(line.dropFirst("class ".count)) {
                    header = (parsed.name, parsed.isModule, next)
                }
            }
            lineStart = next
        }
        close(at: source.endIndex)
        return definitions
    }

    /// `Net(Module):` -> ("Net", true); `Config:` -> ("Config", false).
    private static func parseHeader(_ text: Substring) -> (name: String, isModule: Bool)? {
        let name = text.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
        guard !name.isEmpty else { return nil }
        var isModule = false
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            isModule = text[text.index(after: open)..<close].split(separator: ",").contains { base in
                base.split(separator: ".").last?.filter { !$0.isWhitespace } == "Module"
            }
        }
        return (String(name), isModule)
    }
}

extension TorchScriptCode.ClassDefinition {
    /// The text of the class's `forward` from its `def` on, nil when it has none.
    var forwardText: Substring? {
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let content = body[lineStart...].drop { $0 == " " || $0 == "\t" }
            if content.hasPrefix("def forward(") { return content }
            guard let lineEnd = body[lineStart...].firstIndex(where: \.isNewline) else { return nil }
            lineStart = body.index(after: lineEnd)
        }
        return nil
    }
}
