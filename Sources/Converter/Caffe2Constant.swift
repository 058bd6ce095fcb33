import Extractor
import ModelPackage
import Schemas

/// A tensor init_net fills, with its values.
struct Caffe2Constant {
    enum Values {
        /// A GivenTensorFill's float32 values, where they lie in the mapped init_net:
        /// they go into the ONNX file straight from the map.
        case mapped(MappedValues)
        case floats([Float])
        case int32s([Int32])
        case int64s([Int64])
    }

    let dims: [Int]
    let values: Values

    var dType: DType {
        switch values {
        case .mapped, .floats: .float32
        case .int32s: .int32
        case .int64s: .int64
        }
    }

    /// The most bytes of values an init_net's ConstantFills may expand to, together: a
    /// few bytes of a fill name any shape, and its values are made whole (to be written
    /// into the ONNX file).
    static let maxFillBytes = 1 << 30

    /// The constants of the fill ops of `initNet` (``NetDefReader/readInitNet(_:)`` of
    /// `initFile`: its ops without their values), checked against their shapes; the
    /// `values` of a GivenTensorFill are located in the file, not read.
    static func constants(of initNet: Caffe2_NetDef, in initFile: MappedFile, fillLimit: Int = maxFillBytes) throws -> [String: Caffe2Constant] {
        let valueArguments: [ValuesArgument?]
        do {
            valueArguments = try Self.valuesArguments(of: initFile)
        } catch let error as WireError {
            throw initFile.malformed(.netDef, error)
        } catch is MappedValuesError {
            throw initFile.malformed(.netDef, "a fill's values end inside a number")
        }
        let file = initFile.name
        var constants: [String: Caffe2Constant] = [:]
        var filledBytes = 0
        for (op, values) in zip(initNet.op, valueArguments) {
            let arguments = Caffe2Arguments(op)
            guard let output = op.output.first else { continue }
            let shape = arguments.ints("shape") ?? []
            let constant: Caffe2Constant
            switch op.type {
            case "GivenTensorFill": constant = Caffe2Constant(dims: shape, values: .mapped(values?.floats ?? MappedValues(in: initFile, width: 4)))
            case "GivenTensorIntFill": constant = Caffe2Constant(dims: shape, values: .int32s(try values?.ints(in: initFile).map { Int32(truncatingIfNeeded: $0) } ?? []))
            case "GivenTensorInt64Fill": constant = Caffe2Constant(dims: shape, values: .int64s(try values?.ints(in: initFile) ?? []))
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

    /// The `values` argument of a fill op, as it lies in the file.
    private struct ValuesArgument {
        /// The whole Argument message.
        let message: Range<Int>
        /// Its `floats` (field 5).
        let floats: MappedValues

        /// Its `ints` (small: the index and shape tensors of int fills).
        func ints(in file: MappedFile) throws -> [Int64] {
            try Caffe2_Argument(serializedBytes: Array(file.bytes[message])).ints
        }
    }

    /// The `values` argument of each op of init_net (NetDef.op is field 2,
    /// OperatorDef.arg field 5, Argument.name field 1), in op order.
    private static func valuesArguments(of file: MappedFile) throws -> [ValuesArgument?] {
        let valuesName = Array("values".utf8)
        var found: [ValuesArgument?] = []
        var net = WireScanner(file.bytes)
        while let op = try net.next() {
            guard op.number == 2, op.type == .lengthDelimited else { continue }
            var argument: ValuesArgument?
            var opFields = WireScanner(file.bytes, range: op.payload)
            while let field = try opFields.next() {
                guard field.number == 5, field.type == .lengthDelimited else { continue }
                var isValues = false
                var floats = MappedValues(in: file, width: 4)
                var argumentFields = WireScanner(file.bytes, range: field.payload)
                while let part = try argumentFields.next() {
                    switch (part.number, part.type) {
                    case (1, .lengthDelimited): isValues = file.bytes[part.payload].elementsEqual(valuesName)
                    case (5, .lengthDelimited), (5, .fixed32): try floats.append(part)
                    default: continue
                    }
                }
                if isValues { argument = ValuesArgument(message: field.payload, floats: floats) }
            }
            // Unpacked values are walked a number at a time; their pages are read again
            // when written, not kept all along.
            file.releasePages(op.payload)
            found.append(argument)
        }
        return found
    }

    var count: Int {
        switch values {
        case .mapped(let values): values.count
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
        case .mapped(let values):
            return .init(name: name, dims: dims, dataType: .float32, byteCount: values.count * 4, write: values.write)
        case .floats(let values):
            return .init(name: name, dims: dims, dataType: .float32, byteCount: values.count * 4) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        case .int32s(let values):
            return .init(name: name, dims: dims, dataType: .int32, byteCount: values.count * 4) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        case .int64s(let values):
            return .init(name: name, dims: dims, dataType: .int64, byteCount: values.count * 8) { writer in try values.withUnsafeBytes { try writer.write($0) } }
        }
    }
}
