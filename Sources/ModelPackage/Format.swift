/// A model format as the ormbfile's `format` key names it.
public enum Format: String, CaseIterable, Codable, Sendable {
    case savedModel = "SavedModel"
    case onnx = "ONNX"
    case h5 = "H5"
    case pmml = "PMML"
    case caffeModel = "CaffeModel"
    case netDef = "NetDef"
    case mxnetParams = "MXNetParams"
    case torchScript = "TorchScript"
    case graphDef = "GraphDef"
    case tensorRT = "TensorRT"
    case sklearn = "SKLearn"
    case xgboost = "XGBoost"
    case mllib = "MLlib"
    case mlflow = "MLflow"
    case pickle = "Pickle"
    case others = "Others"

    /// Parses a format name case-insensitively, also accepting the upstream `EXTRACTOR`
    /// values (`onnx`, `caffemodel`, `h5`, ...), which are the lower-cased names.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let match = Format.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else {
            return nil
        }
        self = match
    }

    /// The framework that produces models of this format.
    public var framework: Framework? {
        switch self {
        case .savedModel, .graphDef: .tensorFlow
        case .h5: .keras
        case .onnx: .onnx
        case .torchScript: .pytorch
        case .caffeModel: .caffe
        case .netDef: .caffe2
        case .mxnetParams: .mxnet
        case .pmml: .pmml
        case .tensorRT: .tensorRT
        case .sklearn: .sklearn
        case .xgboost: .xgboost
        case .mllib: .spark
        case .mlflow, .pickle, .others: nil
        }
    }
}

/// A framework as the ormbfile's `framework` key names it.
public enum Framework: String, CaseIterable, Codable, Sendable {
    case tensorFlow = "TensorFlow"
    case keras = "Keras"
    case onnx = "ONNX"
    case pytorch = "PyTorch"
    case caffe = "Caffe"
    case caffe2 = "Caffe2"
    case mxnet = "MXNet"
    case pmml = "PMML"
    case tensorRT = "TensorRT"
    case sklearn = "SKLearn"
    case xgboost = "XGBoost"
    case spark = "Spark"
}
