import Foundation
import ModelPackage
import Schemas

/// Writes a SavedModel: `saved_model.pb` with one MetaGraph tagged `serve` holding the
/// graph, a `serving_default` signature and a saver that restores the variables, and
/// `variables/` in the tensor bundle format.
///
/// Variables are resource variables (VarHandleOp); the computation reads them with
/// ReadVariableOp. A variable may be declared before its bytes are written
/// (``declareVariable(_:type:shape:)``), so that a conversion builds and checks its
/// whole graph first; nothing is written to `folder` before the first bytes. TensorFlow's loaders (Python's `tf.saved_model.load`, the C++ loader
/// of TF Serving and Triton) run `restore_op_name` with the checkpoint path fed to
/// `filename_tensor_name`, then the signature.
struct SavedModelWriter {
    struct Signature {
        /// Signature key -> (tensor name `node:0`, dtype, shape).
        var inputs: [String: (tensor: String, type: DType, shape: [Int]?)] = [:]
        var outputs: [String: (tensor: String, type: DType, shape: [Int]?)] = [:]
    }

    /// A variable of the graph: `handle` names it in the checkpoint, `read` is the
    /// tensor the computation reads it from.
    struct Variable {
        let handle: String
        let read: String
        let type: DType
        let shape: [Int]
    }

    var builder = TensorFlowGraphBuilder()
    private var variables: [Variable] = []
    /// Opened by the first bytes written.
    private var bundle: TensorBundleWriter?
    private let folder: URL

    /// Starts a SavedModel to be written into `folder` (the package's `model/`).
    init(folder: URL) {
        self.folder = folder
    }

    /// A variable holding `bytes`; returns the tensor the computation reads it from.
    mutating func variable(_ name: String, type: DType, shape: [Int], bytes: UnsafeRawBufferPointer) throws -> String {
        let variable = declareVariable(name, type: type, shape: shape)
        try write(variable, bytes: bytes)
        return variable.read
    }

    /// A variable whose bytes ``write(_:bytes:)`` writes later, once per variable.
    mutating func declareVariable(_ name: String, type: DType, shape: [Int]) -> Variable {
        let handle = builder.node("VarHandleOp", name, [], [
            "dtype": .type(type), "shape": .shape(shape), "shared_name": .string(name), "container": .string(""),
        ])
        let read = builder.node("ReadVariableOp", "\(handle)/Read/ReadVariableOp", [handle], ["dtype": .type(type)])
        let variable = Variable(handle: handle, read: read, type: type, shape: shape)
        variables.append(variable)
        return variable
    }

    /// Writes a declared variable's little-endian bytes into `variables/`.
    mutating func write(_ variable: Variable, bytes: UnsafeRawBufferPointer) throws {
        try write(variable) { append in try append(bytes) }
    }

    /// Writes a declared variable's little-endian bytes into `variables/`, which
    /// `produce` passes to `append` piece by piece, in order.
    mutating func write(_ variable: Variable, pieces produce: (_ append: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try openBundle()
        try bundle?.add(variable.handle, dType: variable.type, shape: variable.shape, pieces: produce)
    }

    /// Creates `variables/` and its tensor bundle on first use.
    private mutating func openBundle() throws {
        guard bundle == nil else { return }
        let variablesFolder = folder.appendingPathComponent("variables", isDirectory: true)
        try FileManager.default.createDirectory(at: variablesFolder, withIntermediateDirectories: true)
        bundle = try TensorBundleWriter(prefix: variablesFolder.appendingPathComponent("variables"))
    }

    /// Adds the saver, writes the variables' index and `saved_model.pb`.
    /// A graph without variables has neither (RestoreV2 takes at least one tensor);
    /// the loaders then restore nothing.
    mutating func finish(signature: Signature) throws {
        var metaGraph = Tensorflow_MetaGraphDef()
        if !variables.isEmpty {
            metaGraph.saverDef = addSaver()
            try openBundle()
            try bundle?.finish()
        }
        metaGraph.metaInfoDef.tags = ["serve"]
        metaGraph.metaInfoDef.metaGraphVersion = "v2"
        metaGraph.graphDef = builder.graph
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
