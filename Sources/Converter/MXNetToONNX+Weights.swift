import Extractor
import Foundation
import ModelPackage

/// The arrays of a mapped `.params` file. Their values go into the ONNX file straight
/// from the map, chunk by chunk, as the file is written: no weight is ever whole in memory.
struct MXNetWeights {
    private let file: MappedFile
    private let arrays: [String: MXNetParams.Header]
    /// The arrays' shapes and dtypes by variable name, for shape inference.
    let shapes: [String: InferredTensor]

    init(_ file: MappedFile) throws {
        self.file = file
        let params = try MXNetParams(file)
        arrays = params.named
        shapes = params.parameters
    }

    func contains(_ name: String) -> Bool { arrays[name] != nil }

    /// Small enough to stay well inside the writer's buffer (so it is copied there, not
    /// wrapped in a Data of its own), large enough for few calls.
    private static let chunkSize = 256 << 10

    /// The initializer of parameter `name`, its bytes copied from the map when written.
    func initializer(_ name: String) throws -> ONNXModelWriter.Initializer {
        guard let array = arrays[name], let shape = array.shape, let dType = array.dType, let range = array.data else {
            throw KleverError(.unsupportedModel, file: file.name, "parameter '\(name)' is empty or sparse; ONNX initializers are dense")
        }
        guard dType.onnxCode != nil else {
            throw KleverError(.unsupportedModel, file: file.name, "parameter '\(name)' is \(dType.rawValue), which ONNX has no type for")
        }
        let file = file
        return .init(name: name, dims: shape.map(Int64.init), dataType: dType, byteCount: range.count) { writer in
            var start = range.lowerBound
            while start < range.upperBound {
                let chunk = UnsafeRawBufferPointer(rebasing: file.bytes[start..<min(start + Self.chunkSize, range.upperBound)])
                try writer.write(chunk)
                Self.evict(chunk)
                start += chunk.count
            }
        }
    }

    /// Drops the whole pages under bytes already copied from the resident set, so it
    /// holds a chunk of the model, not all of it (a private, unmodified file mapping
    /// reads pages back from the file if they are ever touched again).
    private static func evict(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let pageMask = ~UInt(sysconf(Int32(_SC_PAGESIZE)) - 1)
        let first = UInt(bitPattern: base) & pageMask, last = (UInt(bitPattern: base) + UInt(bytes.count)) & pageMask
        if last > first { madvise(UnsafeMutableRawPointer(bitPattern: first), Int(last - first), MADV_DONTNEED) }
    }
}
