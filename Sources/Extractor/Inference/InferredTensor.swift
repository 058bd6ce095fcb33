import ModelPackage

/// What shape inference knows of one tensor.
package struct InferredTensor: Equatable, Sendable {
    package var dType: DType?
    /// nil: unknown rank; -1: an unknown dim.
    package var shape: [Int]?
    /// The contents of a small integer tensor (shapes, axes, paddings), element by
    /// element; nil elements are unknown (a partly known `Shape` result). At most
    /// ``maxValueCount`` elements.
    package var value: [Int?]?

    /// The most elements a known value has: shapes and axes are short, and an op
    /// joining values (Concat) must not let them grow with every node.
    package static let maxValueCount = 1024

    package init(dType: DType?, shape: [Int]?, value: [Int?]? = nil) {
        self.dType = dType
        self.shape = shape
        self.value = value
    }

    package static let unknown = InferredTensor(dType: nil, shape: nil)

    package var rank: Int? { shape?.count }

    /// The number of elements when every dim is known (and the count within ``Dim/limit``).
    package var elementCount: Int? {
        guard let shape else { return nil }
        let count = Dim.product(shape)
        return count >= 0 ? count : nil
    }

    /// This tensor with a rank beyond ``Shapes/maxRank`` (grown op by op, as by chained
    /// ExpandDims) unknown.
    package var withinMaxRank: InferredTensor {
        guard let shape, shape.count > Shapes.maxRank else { return self }
        return InferredTensor(dType: dType, shape: nil, value: value)
    }

    /// The same tensor with another dtype (and no known value).
    package func with(dType: DType?) -> InferredTensor { InferredTensor(dType: dType, shape: shape) }

    /// The known contents, only when every element is known.
    package var knownValues: [Int]? {
        guard let value, value.allSatisfy({ $0 != nil }) else { return nil }
        return value.map { $0! }
    }
}

/// Shape arithmetic shared by the op rules.
package enum Shapes {
    /// Numpy broadcasting of two shapes, as TensorFlow's BroadcastBinaryOpShapeFn does
    /// with unknown dims: 1 yields to the other dim, an unknown dim against a dim > 1
    /// becomes that dim.
    package static func broadcast(_ lhs: [Int]?, _ rhs: [Int]?) -> [Int]? {
        guard let lhs, let rhs else { return nil }
        let rank = max(lhs.count, rhs.count)
        let left = Array(repeating: 1, count: rank - lhs.count) + lhs
        let right = Array(repeating: 1, count: rank - rhs.count) + rhs
        return zip(left, right).map { a, b in
            if a == 1 { return b }
            if b == 1 { return a }
            if a == -1 { return b > 1 ? b : -1 }
            if b == -1 { return a > 1 ? a : -1 }
            return a == b ? a : -1
        }
    }

    /// The highest rank a tensor has (TensorFlow's limit, far beyond any model's): a
    /// rank read from data, such as a shape vector's length, above it is corrupt.
    package static let maxRank = TensorSpec.maxRank

    /// A shape as a file gives it: beyond ``maxRank`` dims an unknown rank (nil), a dim
    /// beyond ``Dim/limit`` or negative unknown (-1).
    package static func bounded(_ dims: [Int]) -> [Int]? { TensorSpec.bounded(size: dims) }

    /// `rank` unknown dims; nil (an unknown rank) for a rank no tensor has, so that a
    /// corrupt length never sizes an allocation.
    package static func unknownDims(rank: Int) -> [Int]? {
        (0...maxRank).contains(rank) ? Array(repeating: -1, count: rank) : nil
    }

    /// A negative axis counted from the end; nil when out of range.
    package static func axis(_ axis: Int, rank: Int) -> Int? {
        let resolved = axis < 0 ? axis + rank : axis
        return resolved >= 0 && resolved < rank ? resolved : nil
    }

    /// The span a kernel covers with its taps `dilation` apart; unknown (-1) for a
    /// kernel or dilation that is not positive.
    package static func dilatedExtent(kernel: Int, dilation: Int) -> Int {
        guard kernel > 0, dilation > 0 else { return -1 }
        return Dim.sum(Dim.product(kernel - 1, dilation), 1)
    }

    /// Output size of a sliding window (convolution, pooling) along one dim.
    package static func window(input: Int, kernel: Int, stride: Int, dilation: Int = 1, padding: String, explicit: (Int, Int) = (0, 0)) -> Int {
        let effective = dilatedExtent(kernel: kernel, dilation: dilation)
        guard Dim.bounded(input) >= 0, effective > 0, stride > 0 else { return -1 }
        func positions(_ extent: Int) -> Int {
            guard extent >= 0 else { return -1 }
            return extent >= effective ? (extent - effective) / stride + 1 : 0
        }
        switch padding {
        case "SAME": return Dim.ceilingQuotient(input, stride)
        case "VALID": return positions(input)
        case "EXPLICIT": return positions(Dim.sum(input, Dim.sum(explicit.0, explicit.1)))
        default: return -1
        }
    }

    /// Output size of Caffe's pooling window, which rounds up so that the last window
    /// may hang over the edge, but never starts inside the padding alone.
    package static func roundedUpWindow(input: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int) -> Int {
        guard input >= 0, kernel > 0, stride > 0 else { return -1 }
        let padded = Dim.sum(input, Dim.sum(padBegin, padEnd))
        guard padded >= 0 else { return -1 }
        guard padded >= kernel else { return 1 }
        var size = Dim.ceilingQuotient(padded - kernel, stride) + 1
        if padBegin > 0 || padEnd > 0, (size - 1) * stride >= input + padBegin { size -= 1 }
        return size
    }

    /// Output size of a transposed convolution (deconvolution) along one dim:
    /// `stride * (input - 1) + dilated kernel - padBegin - padEnd + adjust`; unknown
    /// where that is not a size.
    package static func transposedWindow(
        input: Int, kernel: Int, stride: Int, dilation: Int = 1, padBegin: Int, padEnd: Int, adjust: Int = 0
    ) -> Int {
        let effective = dilatedExtent(kernel: kernel, dilation: dilation)
        guard input >= 0, effective > 0, stride > 0 else { return -1 }
        let grown = input > 0 ? Dim.sum(Dim.product(stride, input - 1), effective) : Dim.difference(effective, stride)
        return Dim.difference(Dim.sum(grown, adjust), Dim.sum(padBegin, padEnd))
    }
}
