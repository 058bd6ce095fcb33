import Foundation
import ModelPackage
import Schemas
import Testing
@testable import Extractor

/// Shape inference on small hand-built graphs; the fixture corpus checks real
/// TensorFlow graphs against TensorFlow's own importer.
@Suite struct GraphShapeInferenceTests {
    private var graph = Tensorflow_GraphDef()

    private mutating func node(_ name: String, _ op: String, _ inputs: [String] = [], _ attrs: [String: Tensorflow_AttrValue] = [:]) {
        graph.node.append(.with { $0.name = name; $0.op = op; $0.input = inputs; $0.attr = attrs })
    }

    private mutating func placeholder(_ name: String, _ dims: [Int64], _ type: Tensorflow_DataType = .dtFloat) {
        node(name, "Placeholder", [], [
            "dtype": .with { $0.type = type },
            "shape": .with { $0.shape = .with { $0.dim = dims.map { size in .with { $0.size = size } } } },
        ])
    }

    private mutating func constant(_ name: String, _ values: [Int32], shape: [Int64]? = nil) {
        let tensor = Tensorflow_TensorProto.with {
            $0.dtype = .dtInt32
            $0.tensorShape.dim = (shape ?? [Int64(values.count)]).map { size in .with { $0.size = size } }
            $0.intVal = values
        }
        node(name, "Const", [], ["dtype": .with { $0.type = .dtInt32 }, "value": .with { $0.tensor = tensor }])
    }

    private mutating func floatWeights(_ name: String, _ dims: [Int64]) {
        let tensor = Tensorflow_TensorProto.with { $0.dtype = .dtFloat; $0.tensorShape.dim = dims.map { size in .with { $0.size = size } } }
        node(name, "Const", [], ["dtype": .with { $0.type = .dtFloat }, "value": .with { $0.tensor = tensor }])
    }

    private static func ints(_ values: [Int64]) -> Tensorflow_AttrValue { .with { $0.list.i = values } }
    private static func string(_ value: String) -> Tensorflow_AttrValue { .with { $0.s = Data(value.utf8) } }

    private func outputs() -> [String: TensorSpec] {
        Dictionary(uniqueKeysWithValues: GraphDefReader.signature(of: graph).outputs.map { ($0.name, $0) })
    }

    @Test mutating func convolutionReshapeAndDense() {
        placeholder("image", [-1, 28, 28, 3])
        floatWeights("filter", [3, 3, 3, 8])
        node("conv", "Conv2D", ["image", "filter"], ["strides": Self.ints([1, 2, 2, 1]), "padding": Self.string("SAME"), "T": .with { $0.type = .dtFloat }])
        node("pool", "MaxPool", ["conv"], ["ksize": Self.ints([1, 3, 3, 1]), "strides": Self.ints([1, 2, 2, 1]), "padding": Self.string("VALID")])
        constant("target", [-1, 288])
        node("flat", "Reshape", ["pool", "target"])
        floatWeights("dense", [288, 10])
        node("logits", "MatMul", ["flat", "dense"])
        node("probabilities", "Softmax", ["logits"])
        #expect(outputs()["probabilities"]?.size == [-1, 10])
        #expect(outputs()["probabilities"]?.dType == "float32")
    }

    @Test mutating func reshapeThroughAShapeTensor() {
        // tf.reshape(x, [tf.shape(x)[0], -1]) as Keras writes it.
        placeholder("x", [4, 5, 6])
        node("shape", "Shape", ["x"])
        constant("begin", [0]); constant("end", [1]); constant("stride", [1])
        node("batch", "StridedSlice", ["shape", "begin", "end", "stride"], ["shrink_axis_mask": .with { $0.i = 1 }])
        constant("minus_one", [-1], shape: [])
        node("target", "Pack", ["batch", "minus_one"])
        node("flat", "Reshape", ["x", "target"])
        #expect(outputs()["flat"]?.size == [4, 30])
    }

    @Test mutating func reductionsArgMaxAndScalars() {
        placeholder("x", [-1, 7, 3])
        constant("axis", [1], shape: [])
        node("mean", "Mean", ["x", "axis"], ["keep_dims": .with { $0.b = true }])
        node("sum", "Sum", ["x", "axis"])
        node("best", "ArgMax", ["x", "axis"])
        constant("all", [0, 1, 2])
        node("total", "Sum", ["x", "all"])
        let result = outputs()
        #expect(result["mean"]?.size == [-1, 1, 3])
        #expect(result["sum"]?.size == [-1, 3])
        #expect(result["best"]?.size == [-1, 3] && result["best"]?.dType == "int64")
        #expect(result["total"]?.size == [], "a scalar is [], not unknown")
    }

    @Test mutating func loopsDoNotHangAndStayUnknown() {
        placeholder("x", [2])
        node("merge", "Merge", ["x", "next"])
        node("next", "NextIteration", ["merge"])
        node("out", "Identity", ["merge"])
        #expect(outputs()["out"]?.size == [2])
    }

    @Test mutating func controlInputsAndOutputIndices() {
        placeholder("x", [3, 4])
        node("split", "Split", ["axis", "x"], ["num_split": .with { $0.i = 2 }])
        constant("axis", [1], shape: [])
        node("second", "Identity", ["split:1", "^x"])
        #expect(outputs()["second"]?.size == [3, 2])
        #expect(outputs()["x"] == nil, "a control input consumes its node")
    }
}
