import ModelPackage

/// What shape inference knows of one tensor.
package struct InferredTensor: Equatable, Sendable {
    package var dType: DType?
    /// nil: unknown rank; -1: an unknown dim.
    package var shape: [Int]?
    /// The contents of a small integer tensor (shapes, axes, paddings), element by
    /// element; nil elements are unknown (a partly known `Shape` result).
    package var value: [Int?]?

    package init(dType: DType?, shape: [Int]?, value: [Int?]? = nil) {
        self.dType = dType
        self.shape = shape
        self.value = value
    }

    package static let unknown = InferredTensor(dType: nil, shape: nil)

    package var rank: Int? { shape?.count }

    /// The number of elements when every dim is known.
    package var elementCount: Int? {
        guard let shape, shape.allSatisfy({ $0 >= 0 }) else { return nil }
        var product = 1
        for dim in shape {
            let (result, overflow) = product.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            product = result
        }
        return product
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
    package static let maxRank = 254

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

    /// Output size of a sliding window (convolution, pooling) along one dim.
    package static func window(input: Int, kernel: Int, stride: Int, dilation: Int = 1, padding: String, explicit: (Int, Int) = (0, 0)) -> Int {
        guard input >= 0, kernel > 0, stride > 0, dilation > 0 else { return -1 }
        let effective = (kernel - 1) * dilation + 1
        switch padding {
        case "SAME": return (input + stride - 1) / stride
        case "VALID": return input >= effective ? (input - effective) / stride + 1 : 0
        case "EXPLICIT":
            let padded = input + explicit.0 + explicit.1
            return padded >= effective ? (padded - effective) / stride + 1 : 0
        default: return -1
        }
    }

    /// Output size of Caffe's pooling window, which rounds up so that the last window
    /// may hang over the edge, but never starts inside the padding alone.
    package static func roundedUpWindow(input: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int) -> Int {
        guard input >= 0, kernel > 0, stride > 0 else { return -1 }
        let span = input + padBegin + padEnd - kernel
        guard span >= 0 else { return 1 }
        var size = (span + stride - 1) / stride + 1
        if padBegin > 0 || padEnd > 0, (size - 1) * stride >= input + padBegin { size -= 1 }
        return size
    }
}
