import Foundation
import ModelPackage
import Schemas

/// Writes a SavedModel: `saved_model.pb` with one MetaGraph tagged `serve` holding the
/// graph, a `serving_default` signature and a saver that restores the variables, and
/// `variables/` in the tensor bundle format.
///
/// Variables are resource variables (VarHandleOp); the computation reads them with
/// ReadVariableOp. TensorFlow's loaders (Python's `tf.saved_model.load`, the C++ loader
/// of TF Serving and Triton) run `restore_op_name` with the checkpoint path fed to
/// `filename_tensor_name`, then the signature.
struct SavedModelWriter {
    struct Signature {
        /// Signature key -> (tensor name `node:0`, dtype, shape).
        var inputs: [String: (tensor: String, type: DType, shape: [Int]?)] = [:]
        var outputs: [String: (tensor: String, type: DType, shape: [Int]?)] = [:]
    }

    private struct Variable {
        let handle: String
        let read: String
        let type: DType
    }

    var builder = TensorFlowGraphBuilder()
    private var variables: [Variable] = []
    private var bundle: TensorBundleWriter
    private let folder: URL

    /// Starts writing into `folder` (the package's `model/`).
    init(folder: URL) throws {
        self.folder = folder
        let variablesFolder = folder.appendingPathComponent("variables", isDirectory: true)
        try FileManager.default.createDirectory(at: variablesFolder, withIntermediateDirectories: true)
        bundle = try TensorBundleWriter(prefix: variablesFolder.appendingPathComponent("variables"))
    }

    /// A variable holding `bytes`; returns the tensor the computation reads it from.
    mutating func variable(_ name: String, type: DType, shape: [Int], bytes: UnsafeRawBufferPointer) throws -> String {
        let handle = builder.node("VarHandleOp", name, [], [
            "dtype": .type(type), "shape": .shape(shape), "shared_name": .string(name), "container": .string(""),
        ])
        try bundle.add(handle, dType: type, shape: shape, bytes: bytes)
        let read = builder.node("ReadVariableOp", "\(handle)/Read/ReadVariableOp", [handle], ["dtype": .type(type)])
        variables.append(Variable(handle: handle, read: read, type: type))
        return read
    }

    /// Adds the saver, writes the variables' index and `saved_model.pb`.
    mutating func finish(signature: Signature) throws {
        let saverDef = addSaver()
        try bundle.finish()
        var metaGraph = Tensorflow_MetaGraphDef()
        metaGraph.metaInfoDef.tags = ["serve"]
        metaGraph.metaInfoDef.metaGraphVersion = "v2"
        metaGraph.graphDef = builder.graph
        metaGraph.saverDef = saverDef
        metaGraph.signatureDef["serving_default"] = .with {
            $0.methodName = "tensorflow/serving/predict"
            $0.inputs = signature.inputs.mapValues(Self.tensorInfo)
            $0.outputs = signature.outputs.mapValues(Self.tensorInfo)
        }
        var savedModel = Tensorflow_SavedModel()
        savedModel.savedModelSchemaVersion = 1
        savedModel.metaGraphs = [metaGraph]
        let writer = try BufferedFileWriter(folder.appendingPathComponent("saved_model.pb"), name: "model/saved_model.pb")
        try writer.write(try savedModel.serializedBytes() as [UInt8])
        try writer.close()
    }

    /// TensorFlow 1's saver subgraph: RestoreV2 from the fed path into every variable
    /// (`save/restore_all`), and SaveV2 for completeness (`save/control_dependency`).
    private mutating func addSaver() -> Tensorflow_SaverDef {
        let names = variables.map(\.handle)
        let types = variables.map(\.type)
        let filename = builder.constant("save/Const", strings: ["model"], shape: [])
        let tensorNames = builder.constant("save/RestoreV2/tensor_names", strings: names)
        let slices = builder.constant("save/RestoreV2/shape_and_slices", strings: names.map { _ in "" })
        let restore = builder.node("RestoreV2", "save/RestoreV2", [filename, tensorNames, slices], ["dtypes": .types(types)])
        let assigns = variables.enumerated().map { index, variable in
            builder.node("AssignVariableOp", "save/AssignVariableOp", [variable.handle, index == 0 ? restore : "\(restore):\(index)"],
                         ["dtype": .type(variable.type)])
        }
        let restoreAll = builder.node("NoOp", "save/restore_all", assigns.map { "^" + $0 })
        let save = builder.node("SaveV2", "save/SaveV2", [filename, tensorNames, slices] + variables.map(\.read), ["dtypes": .types(types)])
        let saved = builder.node("Identity", "save/control_dependency", [filename, "^" + save], ["T": .type(.object)])
        return .with {
            $0.filenameTensorName = filename + ":0"
            $0.saveTensorName = saved + ":0"
            $0.restoreOpName = restoreAll
            $0.maxToKeep = 5
            $0.keepCheckpointEveryNHours = 10000
            $0.version = .v2
        }
    }

    private static func tensorInfo(_ tensor: (tensor: String, type: DType, shape: [Int]?)) -> Tensorflow_TensorInfo {
        .with {
            $0.name = tensor.tensor
            $0.dtype = Tensorflow_DataType(rawValue: tensor.type.tensorFlowCode ?? 0) ?? .dtInvalid
            $0.tensorShape = TensorFlowAttr.shapeProto(tensor.shape)
        }
    }
}
