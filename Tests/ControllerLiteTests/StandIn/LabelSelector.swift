import ModelPackage

/// A label selector as LIST and WATCH take it: `a`, `!a`, `a=b` (or `a==b`), `a!=b`,
/// comma-separated, all to hold.
struct LabelSelector: Sendable {
    private enum Requirement: Sendable {
        case exists(String), absent(String), equals(String, String), differs(String, String)
    }

    private let requirements: [Requirement]

    init(_ text: String?) {
        requirements = (text ?? "").split(separator: ",").map { part in
            let term = part.trimmingCharacters(in: .whitespaces)
            if let range = term.range(of: "!=") {
                return .differs(String(term[..<range.lowerBound]), String(term[range.upperBound...]))
            }
            if let range = term.range(of: "==") ?? term.range(of: "=") {
                return .equals(String(term[..<range.lowerBound]), String(term[range.upperBound...]))
            }
            return term.hasPrefix("!") ? .absent(String(term.dropFirst())) : .exists(term)
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        let labels = object[path: ["metadata", "labels"]]?.object ?? [:]
        return requirements.allSatisfy { requirement in
            switch requirement {
            case .exists(let key): labels[key] != nil
            case .absent(let key): labels[key] == nil
            case .equals(let key, let value): labels[key]?.string == value
            case .differs(let key, let value): labels[key]?.string != value
            }
        }
    }
}
