import ModelPackage

/// Dim arithmetic where -1 is unknown, shared by every shape-inference engine: an
/// unknown operand, or a result beyond 2^53 (no real tensor has such a dim; a hostile
/// file or signature may ask for one), gives -1, so that no chain of ops can overflow.
package enum Dim {
    /// The largest dim klever reports; larger ones read and compute as unknown.
    package static let limit = TensorSpec.maxDim

    /// A dim as a file or a user gives it: negative or beyond ``limit``, unknown.
    package static func bounded(_ value: Int) -> Int { known(value) ? value : -1 }

    package static func product(_ lhs: Int, _ rhs: Int) -> Int {
        guard known(lhs), known(rhs) else { return -1 }
        let (result, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        return overflow || result > limit ? -1 : result
    }

    package static func sum(_ lhs: Int, _ rhs: Int) -> Int {
        guard known(lhs), known(rhs) else { return -1 }
        return lhs + rhs > limit ? -1 : lhs + rhs
    }

    /// `lhs - rhs`, unknown when it would be negative.
    package static func difference(_ lhs: Int, _ rhs: Int) -> Int {
        guard known(lhs), known(rhs), lhs >= rhs else { return -1 }
        return lhs - rhs
    }

    /// `lhs / rhs` rounded up (how many strides cover a span); unknown for a divisor
    /// that is not positive.
    package static func ceilingQuotient(_ lhs: Int, _ rhs: Int) -> Int {
        guard known(lhs), known(rhs), rhs > 0 else { return -1 }
        return lhs / rhs + (lhs % rhs != 0 ? 1 : 0)
    }

    /// One of `parts` equal parts of `dim`; unknown when they cannot be equal.
    package static func part(_ dim: Int, of parts: Int) -> Int {
        known(dim) && parts > 0 && dim % parts == 0 ? dim / parts : -1
    }

    /// The product of all dims (1 for none).
    package static func product(_ dims: some Sequence<Int>) -> Int { dims.reduce(1, product) }

    /// The sum of all dims (0 for none).
    package static func sum(_ dims: some Sequence<Int>) -> Int { dims.reduce(0, sum) }

    private static func known(_ dim: Int) -> Bool { dim >= 0 && dim <= limit }
}
