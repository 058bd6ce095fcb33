/// What shape inference may still spend on ops' outputs beyond their first, across one
/// graph. An output count costs a file a few bytes (Split's `num_split: 65536`, a Caffe
/// Slice's tops), and each output holds a shape of its own: unbounded, a small file
/// would fill gigabytes. Outputs past the budget are not made; a consumer reads them as
/// unknown.
package struct OutputBudget {
    /// More outputs than any real op has.
    package static let maxOutputs = 1 << 16
    /// The dims all extra outputs of a graph may hold together (8 MB), far more than
    /// real graphs need (a 1000-way Split of rank-4 tensors takes 4000).
    package static let dims = 1 << 20

    private var remaining = dims

    package init() {}

    /// How many outputs an op may make when they are of rank `rank` (nil: unknown):
    /// always the first, the others while the budget lasts.
    package func outputLimit(rank: Int?) -> Int {
        1 + min(Self.maxOutputs - 1, remaining / Self.cost(rank))
    }

    /// Takes what the outputs of one op hold beyond the first (their ranks, in order).
    package mutating func spend(ranks: some Sequence<Int?>) {
        for rank in ranks.dropFirst() { remaining = max(remaining - Self.cost(rank), 0) }
    }

    private static func cost(_ rank: Int?) -> Int { max(rank ?? 0, 1) }
}
