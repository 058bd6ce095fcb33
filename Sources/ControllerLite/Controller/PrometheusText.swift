/// Prometheus' text exposition format (version 0.0.4), written by hand: a few
/// families, no client library needed.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var text = ""

    /// One family of samples, each with its labels.
    mutating func family(_ name: String, type: String, help: String, samples: [(labels: [(String, String)], value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples { line(name, sample.labels, sample.value) }
    }

    /// A histogram: cumulative buckets by upper bound, then the sum and the count.
    mutating func histogram(_ name: String, help: String, histogram: Histogram) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (bound, count) in zip(histogram.bounds, histogram.counts) {
            cumulative += count
            line(name + "_bucket", [("le", Self.number(bound))], Double(cumulative))
        }
        line(name + "_bucket", [("le", "+Inf")], Double(histogram.count))
        line(name + "_sum", [], histogram.sum)
        line(name + "_count", [], Double(histogram.count))
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: Double) {
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        text += "\(name)\(labelText) \(Self.number(value))\n"
    }

    /// Integers without a fraction, as people read them.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Observations counted into fixed buckets.
struct Histogram: Sendable {
    /// Upper bounds, ascending.
    let bounds: [Double]
    /// Observations per bucket (not cumulative); those above every bound only in `count`.
    private(set) var counts: [Int]
    private(set) var count = 0
    private(set) var sum = 0.0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        if let bucket = bounds.firstIndex(where: { value <= $0 }) { counts[bucket] += 1 }
        count += 1
        sum += value
    }
}
