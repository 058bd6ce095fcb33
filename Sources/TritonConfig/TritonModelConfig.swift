import ModelPackage
import Schemas

/// Triton's `config.pbtxt` for a model, from its format and signature, as the design
/// and Triton's own auto-complete would write it.
public enum TritonModelConfig {
    /// How the model is to be served.
    public struct Options: Sendable {
        /// The model's name in the repository (the serving name).
        public var name: String
        /// `max_batch_size` when the model batches (every tensor has a leading -1).
        public var maxBatchSize: Int
        /// Instance placement; nil leaves `instance_group` out (Triton decides).
        public var instanceKind: InstanceKind?
        public var instanceCount: Int

        public init(name: String, maxBatchSize: Int = 4, instanceKind: InstanceKind? = nil, instanceCount: Int = 1) {
            self.name = name
            self.maxBatchSize = maxBatchSize
            self.instanceKind = instanceKind
            self.instanceCount = instanceCount
        }
    }

    public enum InstanceKind: String, CaseIterable, Sendable {
        case cpu, gpu
    }

    /// The Triton platform (and backend) serving a format; nil for formats Triton
    /// does not serve.
    public static func platform(for format: Format) -> (platform: String, backend: String?)? {
        switch format {
        case .onnx: ("onnxruntime_onnx", nil)
        case .savedModel: ("tensorflow_savedmodel", nil)
        case .graphDef: ("tensorflow_graphdef", nil)
        case .torchScript: ("pytorch_libtorch", "pytorch")
        case .tensorRT: ("tensorrt_plan", nil)
        // Triton dropped Caffe2 in 20.11; kept for the original's pinned 20.09
        // (newer Triton: convert NetDef to ONNX).
        case .netDef: ("caffe2_netdef", nil)
        default: nil
        }
    }

    /// The config as a message. `file` names the ormbfile in errors.
    public static func make(format: Format, signature: Signature, options: Options, file: String) throws -> Inference_ModelConfig {
        guard let (platform, backend) = platform(for: format) else {
            throw KleverError(.unsupportedModel, file: file, "Triton does not serve \(format.rawValue) models")
        }
        guard !signature.inputs.isEmpty, !signature.outputs.isEmpty else {
            throw KleverError(.invalidOrmbfile, file: file, "the signature has no \(signature.inputs.isEmpty ? "inputs" : "outputs"): extract it first or write it")
        }
        guard options.maxBatchSize > 0, options.maxBatchSize <= Int(Int32.max) else {
            throw KleverError(.usage, file: "--max-batch-size", "must be a positive number")
        }
        var config = Inference_ModelConfig()
        config.name = options.name
        config.platform = platform
        if let backend { config.backend = backend }
        let batching = batches(signature)
        if batching {
            config.maxBatchSize = Int32(options.maxBatchSize)
            config.dynamicBatching = Inference_ModelDynamicBatching()
        }
        config.input = try signature.inputs.enumerated().map { index, tensor in
            let spec = try TensorConfig(tensor, batching: batching, at: "signature.inputs[\(index)]", file: file)
            return Inference_ModelInput.with {
                $0.name = tensor.name
                $0.dataType = spec.dataType
                $0.dims = spec.dims
                if let reshape = spec.reshape { $0.reshape = reshape }
            }
        }
        config.output = try signature.outputs.enumerated().map { index, tensor in
            let spec = try TensorConfig(tensor, batching: batching, at: "signature.outputs[\(index)]", file: file)
            return Inference_ModelOutput.with {
                $0.name = tensor.name
                $0.dataType = spec.dataType
                $0.dims = spec.dims
                if let reshape = spec.reshape { $0.reshape = reshape }
            }
        }
        if let kind = options.instanceKind {
            config.instanceGroup = [.with {
                $0.kind = kind == .gpu ? .gpu : .cpu
                $0.count = Int32(clamping: options.instanceCount)
            }]
        }
        return config
    }

    /// `config.pbtxt` text.
    public static func text(format: Format, signature: Signature, options: Options, file: String) throws -> String {
        try make(format: format, signature: signature, options: options, file: file).textFormatString()
    }

    /// The batch dim is Triton's when every input and output has a leading -1.
    static func batches(_ signature: Signature) -> Bool {
        (signature.inputs + signature.outputs).allSatisfy { $0.size?.first == -1 }
    }

}

/// One tensor's `data_type`, `dims` and `reshape`.
private struct TensorConfig {
    let dataType: Inference_DataType
    let dims: [Int64]
    let reshape: Inference_ModelTensorReshape?

    /// Dims without the batch dim when batching; an empty shape becomes `[1]` with an
    /// empty reshape, as Triton's auto-complete writes scalars.
    init(_ tensor: TensorSpec, batching: Bool, at path: String, file: String) throws {
        guard let name = tensor.numpyType?.tritonName, let type = Inference_DataType(tritonName: name) else {
            throw KleverError(
                .invalidOrmbfile, file: file,
                "\(path) '\(tensor.name)': dType '\(tensor.dType ?? "none")' has no Triton data type (write a numpy dtype such as float32)")
        }
        guard let size = tensor.size else {
            throw KleverError(.invalidOrmbfile, file: file, "\(path) '\(tensor.name)': no size")
        }
        let dims = (batching ? Array(size.dropFirst()) : size).map(Int64.init)
        dataType = type
        self.dims = dims.isEmpty ? [1] : dims
        reshape = dims.isEmpty ? Inference_ModelTensorReshape() : nil
    }
}

extension Inference_DataType {
    /// The enum case of a `TYPE_*` name, looked up through the schema's own names
    /// (text format decodes enum values by name).
    init?(tritonName: String) {
        guard let input = try? Inference_ModelInput(textFormatString: "data_type: \(tritonName)") else { return nil }
        self = input.dataType
    }
}
