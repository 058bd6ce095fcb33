import Extractor
import ModelPackage
import Schemas

/// A tensor init_net fills, with its values.
struct Caffe2Constant {
    enum Values {
        case floats([Float])
        case int32s([Int32])
        case int64s([Int64])
    }

    let dims: [Int]
    let values: Values

    var dType: DType {
        switch values {
        case .floats: .float32
        case .int32s: .int32
        case .int64s: .int64
        }
    }

    /// The most bytes of values an init_net's ConstantFills may expand to, together: a
    /// few bytes of a fill name any shape, and its values are made whole (to be written
    /// into the ONNX file).
    static let maxFillBytes = 1 << 30

    /// The constants of an init_net's fill ops, checked against their shapes.
    static func constants(of initNet: Caffe2_NetDef, file: String, fillLimit: Int = maxFillBytes) throws -> [String: Caffe2Constant] {
        var constants: [String: Caffe2Constant] = [:]
        var filledBytes = 0
        for op in initNet.op {
            let arguments = Caffe2Arguments(op)
            guard let output = op.output.first else { continue }
            let values = op.arg.first { $0.name == "values" }
            let shape = arguments.ints("shape") ?? []
            let constant: Caffe2Constant
            switch op.type {
            case "GivenTensorFill": constant = Caffe2Constant(dims: shape, values: .floats(values?.floats ?? []))
            case "GivenTensorIntFill": constant = Caffe2Constant(dims: shape, values: .int32s((values?.ints ?? []).map { Int32(truncatingIfNeeded: $0) }))
            case "GivenTensorInt64Fill": constant = Caffe2Constant(dims: shape, values: .int64s(values?.ints ?? []))
            case "ConstantFill":
                let dType = arguments.int("dtype").flatMap { DType(caffe2: $0) } ?? .float32
                // Held as int64 or 4-byte values (see the switch below).
                let width = dType == .int64 ? 8 : 4
                guard let count = InferredTensor(dType: nil, shape: shape).elementCount, count <= (fillLimit - filledBytes) / width else {
                    throw KleverError(
                        .malformedModel, file: file,
                        "ConstantFill '\(output)': shape \(shape) is not a real tensor (the ConstantFills would hold more than \(fillLimit) bytes)")
                }
                filledBytes += count * width
                switch dType {
                case .int32: constant = Caffe2Constant(dims: shape, values: .int32s(Array(repeating: Int32(clamping: arguments.int("value") ?? 0), count: count)))
                case .int64: constant = Caffe2Constant(dims: shape, values: .int64s(Array(repeating: Int64(arguments.int("value") ?? 0), count: count)))
                default: constant = Caffe2Constant(dims: shape, values: .floats(Array(repeating: arguments.float("value") ?? 0, count: count)))
                }
            default:
                throw KleverError(.unsupportedModel, file: file, "init_net op \(op.type) for '\(output)': only GivenTensor*Fill and ConstantFill carry values")
            }
            guard InferredTensor(dType: nil, shape: constant.dims).elementCount == constant.count else {
                throw KleverError(.malformedModel, file: file, "'\(output)': shape \(constant.dims) but \(constant.count) values")
            }
            constants[output] = constant
        }
        return constants
    }

    var count: Int {
        switch values {
        case .floats(let values): values.count
        case .int32s(let values): values.count
        case .int64s(let values): values.count
        }
    }

    /// The same values under other dims of the same element count.
    func reshaped(_ dims: [Int]) -> Caffe2Constant { Caffe2Constant(dims: dims, values: values) }

    /// A matrix of dims[..<axis] by dims[axis...] (FC's view of its weights).
    func flattened(at axis: Int) -> Caffe2Constant? {
        guard axis > 0, axis <= dims.count,
              let rows = InferredTensor(dType: nil, shape: Array(dims[..<axis])).elementCount,
              let columns = InferredTensor(dType: nil, shape: Array(dims[axis...])).elementCount
        else { return nil }
        return reshaped([rows, columns])
    }

    func initializer(_ name: String) -> ONNXModelWriter.Initializer {
        let dims = dims.map(Int64.init)
        switch values {
        case .floats(let values):
            return .init(name: name, dims: dims, dataType: .float32, byteCount: values.count * 4) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        case .int32s(let values):
            return .init(name: name, dims: dims, dataType: .int32, byteCount: values.count * 4) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        case .int64s(let values):
            return .init(name: name, dims: dims, dataType: .int64, byteCount: values.count * 8) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        }
    }
}
