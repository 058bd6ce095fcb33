import Foundation

/// One node's attributes as an MXNet symbol JSON writes them: every value a string in
/// MXNet's parameter syntax (`"(3, 3)"`, `"[1,1]"`, `"True"`, `"64"`, `"None"`).
///
/// Integers outside the 32-bit range read as absent: no real shape parameter is that
/// large, and it keeps the shape arithmetic free of overflow.
package struct MXNetAttributes: Sendable {
    private let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    package func string(_ name: String) -> String? { values[name] }

    package func int(_ name: String) -> Int? {
        values[name].flatMap(Self.integer)
    }

    /// A real number as Python prints it (`0.001`, `1e-05`, `inf`); nil for `None`.
    package func double(_ name: String) -> Double? {
        values[name].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `True`/`False` as Python writes them, or `1`/`0`.
    package func bool(_ name: String) -> Bool? {
        switch values[name]?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }

    /// A tuple (`(3, 3)`, `[3,3]`, `(3,)`, `()`, or a bare `3`, as MXNet's Tuple parser
    /// reads it; Python 2's `3L` too). nil for `None`, a missing or malformed value.
    package func ints(_ name: String) -> [Int]? {
        guard let text = values[name]?.trimmingCharacters(in: .whitespaces), text != "None" else { return nil }
        var body = Substring(text)
        if let first = body.first, first == "(" || first == "[" {
            guard let last = body.last, last == (first == "(" ? ")" : "]") else { return nil }
            body = body.dropFirst().dropLast()
        }
        let items = body.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // A trailing comma (`(3,)`) leaves one empty item; `()` leaves only that one.
        let trimmed = items.last == "" ? items.dropLast() : items[...]
        var result: [Int] = []
        for item in trimmed {
            guard let value = Self.integer(item) else { return nil }
            result.append(value)
        }
        return result
    }

    private static func integer(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        if digits.hasSuffix("L") { digits = digits.dropLast() }
        guard let value = Int(digits), value >= Int(Int32.min), value <= Int(Int32.max) else { return nil }
        return value
    }
}
