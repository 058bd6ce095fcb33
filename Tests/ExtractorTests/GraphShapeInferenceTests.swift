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

    // MARK: Convolutions, pooling, images, selection

    @Test mutating func convolutionGradients3DAndPoolingVariants() {
        placeholder("image", [5, 28, 28, 3])
        floatWeights("filter", [3, 3, 3, 8])
        placeholder("gradient", [5, 14, 14, 8])
        constant("all_sizes", [5, 28, 28, 3])
        node("backprop", "Conv2DBackpropInput", ["all_sizes", "filter", "gradient"], ["T": .with { $0.type = .dtFloat }])
        constant("spatial_sizes", [28, 28])
        node("backprop_spatial", "Conv2DBackpropInput", ["spatial_sizes", "filter", "gradient"])
        placeholder("volume", [2, 8, 16, 16, 3])
        floatWeights("filter3d", [3, 3, 3, 3, 8])
        node("conv3d", "Conv3D", ["volume", "filter3d"], ["strides": Self.ints([1, 2, 2, 2, 1]), "padding": Self.string("SAME")])
        node("max3d", "MaxPool3D", ["volume"], ["ksize": Self.ints([1, 2, 2, 2, 1]), "strides": Self.ints([1, 2, 2, 2, 1]), "padding": Self.string("VALID")])
        placeholder("volume_first", [2, 3, 8, 16, 16])
        node("avg3d", "AvgPool3D", ["volume_first"], [
            "ksize": Self.ints([1, 1, 2, 2, 2]), "strides": Self.ints([1, 1, 2, 2, 2]), "padding": Self.string("VALID"),
            "data_format": Self.string("NCDHW"),
        ])
        constant("ksize", [1, 3, 3, 1]); constant("strides", [1, 2, 2, 1])
        node("max_v2", "MaxPoolV2", ["image", "ksize", "strides"], ["padding": Self.string("SAME")])
        placeholder("unknown_ksize", [4], .dtInt32)
        node("max_v2_unknown", "MaxPoolV2", ["image", "unknown_ksize", "strides"], ["padding": Self.string("SAME")])
        let result = outputs()
        #expect(result["backprop"]?.size == [5, 28, 28, 3] && result["backprop"]?.dType == "float32")
        #expect(result["backprop_spatial"]?.size == [5, 28, 28, 3], "batch from out_backprop, channels from the filter")
        #expect(result["conv3d"]?.size == [2, 4, 8, 8, 8])
        #expect(result["max3d"]?.size == [2, 4, 8, 8, 3])
        #expect(result["avg3d"]?.size == [2, 3, 4, 8, 8])
        #expect(result["max_v2"]?.size == [5, 14, 14, 3])
        #expect(result["max_v2_unknown"]?.size == TensorSpec.unknownRank)
    }

    @Test mutating func resizesAndMovesBetweenSpaceBatchAndDepth() {
        placeholder("images", [1, 10, 10, 3], .dtUint8)
        constant("size", [20, 30])
        node("bilinear", "ResizeBilinear", ["images", "size"], ["T": .with { $0.type = .dtUint8 }])
        node("nearest", "ResizeNearestNeighbor", ["images", "size"], ["T": .with { $0.type = .dtUint8 }])
        placeholder("x", [2, 5, 7, 3])
        constant("block", [2, 2])
        constant("paddings", [1, 0, 0, 1], shape: [2, 2])
        node("to_batch", "SpaceToBatchND", ["x", "block", "paddings"])
        placeholder("batched", [8, 3, 4, 3])
        node("to_space", "BatchToSpaceND", ["batched", "block", "paddings"])
        placeholder("deep", [1, 4, 6, 12])
        node("to_space_depth", "DepthToSpace", ["deep"], ["block_size": .with { $0.i = 2 }])
        placeholder("wide", [1, 8, 12, 3])
        node("to_depth", "SpaceToDepth", ["wide"], ["block_size": .with { $0.i = 2 }])
        placeholder("wide_first", [1, 3, 8, 12])
        node("to_depth_first", "SpaceToDepth", ["wide_first"], ["block_size": .with { $0.i = 2 }, "data_format": Self.string("NCHW")])
        let result = outputs()
        #expect(result["bilinear"]?.size == [1, 20, 30, 3] && result["bilinear"]?.dType == "float32")
        #expect(result["nearest"]?.size == [1, 20, 30, 3] && result["nearest"]?.dType == "uint8")
        #expect(result["to_batch"]?.size == [8, 3, 4, 3])
        #expect(result["to_space"]?.size == [2, 5, 7, 3])
        #expect(result["to_space_depth"]?.size == [1, 8, 12, 3])
        #expect(result["to_depth"]?.size == [1, 4, 6, 12])
        #expect(result["to_depth_first"]?.size == [1, 12, 4, 6])
    }

    @Test mutating func oneHotRangeAndTopK() {
        placeholder("indices", [4, 5], .dtInt32)
        constant("depth", [10], shape: [])
        floatWeights("on", []); floatWeights("off", [])
        node("hot_last", "OneHot", ["indices", "depth", "on", "off"], ["T": .with { $0.type = .dtFloat }])
        node("hot_middle", "OneHot", ["indices", "depth", "on", "off"], ["T": .with { $0.type = .dtFloat }, "axis": .with { $0.i = 1 }])
        constant("zero", [0], shape: []); constant("ten", [10], shape: [])
        constant("three", [3], shape: []); constant("minus_three", [-3], shape: [])
        node("up", "Range", ["zero", "ten", "three"], ["Tidx": .with { $0.type = .dtInt32 }])
        node("down", "Range", ["ten", "zero", "minus_three"])
        node("wrong_way", "Range", ["zero", "ten", "minus_three"])
        placeholder("scores", [3, 20])
        constant("k", [5], shape: [])
        node("top", "TopKV2", ["scores", "k"])
        node("top_values", "Identity", ["top"])
        node("top_indices", "Identity", ["top:1"])
        let result = outputs()
        #expect(result["hot_last"]?.size == [4, 5, 10] && result["hot_last"]?.dType == "float32")
        #expect(result["hot_middle"]?.size == [4, 10, 5])
        #expect(result["up"]?.size == [4] && result["up"]?.dType == "int32")
        #expect(result["down"]?.size == [4])
        #expect(result["wrong_way"]?.size == [-1], "a range that never reaches its limit is an error in TensorFlow")
        #expect(result["top_values"]?.size == [3, 5] && result["top_values"]?.dType == "float32")
        #expect(result["top_indices"]?.size == [3, 5] && result["top_indices"]?.dType == "int32")
    }

    // MARK: Hostile numbers, ranks and counts

    /// Products and sums beyond any tensor (two Tiles by 2^31 - 1, a Concat of Shape
    /// values doubling 30 times) are unknown dims or known ones, never a trap or a value
    /// that grows with every node.
    @Test mutating func hostileNumbersGiveUnknownDimsNotOverflow() {
        placeholder("x", [2_147_483_647, 3])
        constant("multiples", [2_147_483_647, 2_147_483_647])
        node("tile", "Tile", ["x", "multiples"])
        node("tiled_twice", "Tile", ["tile", "multiples"])
        constant("paddings", [2_147_483_647, 2_147_483_647, -5, 0], shape: [2, 2])
        node("padded", "Pad", ["x", "paddings"])
        constant("axis", [0], shape: [])
        node("shape_0", "Shape", ["x"])
        for level in 1...30 {
            node("shape_\(level)", "ConcatV2", ["shape_\(level - 1)", "shape_\(level - 1)", "axis"], ["N": .with { $0.i = 2 }])
        }
        node("filled", "Fill", ["shape_30", "axis"])
        let result = outputs()
        #expect(result["tiled_twice"]?.size == [-1, -1])
        #expect(result["padded"]?.size == [6_442_450_941, -1], "a negative padding is no size")
        #expect(result["filled"]?.size == [-1], "a value longer than any shape is not kept")
    }

    /// ConcatV2's `N` is a count of inputs: negative or larger than the inputs, it
    /// cannot slice them.
    @Test(arguments: [-5, 100, 2])
    mutating func concatWithAnyCountOfInputs(_ count: Int64) {
        placeholder("a", [2, 3])
        placeholder("b", [2, 4])
        constant("axis", [1], shape: [])
        node("joined", "ConcatV2", ["a", "b", "axis"], ["N": .with { $0.i = count }])
        #expect(outputs()["joined"]?.size == [2, 7])
    }

    /// A shape attribute of more dims than a tensor has, a Fill by a long value and a
    /// rank grown node by node beyond TensorFlow's 254 are an unknown rank.
    @Test mutating func ranksBeyondAnyTensorAreUnknown() {
        placeholder("wide", Array(repeating: 1, count: 1000))
        node("wide_out", "Identity", ["wide"])
        constant("long", Array(repeating: 1, count: 300))
        node("filled", "Fill", ["long", "long"])
        placeholder("scalar", [])
        constant("axis", [0], shape: [])
        node("grown_0", "Identity", ["scalar"])
        for level in 1...300 { node("grown_\(level)", "ExpandDims", ["grown_\(level - 1)", "axis"]) }
        let result = outputs()
        #expect(GraphDefReader.signature(of: graph).inputs.first { $0.name == "wide" }?.size == TensorSpec.unknownRank)
        #expect(result["wide_out"]?.size == TensorSpec.unknownRank)
        #expect(result["filled"]?.size == TensorSpec.unknownRank)
        #expect(result["grown_300"]?.size == TensorSpec.unknownRank)
    }

    /// Splits into 65536 parts each (a few bytes of attribute apiece) make outputs only
    /// while ``OutputBudget`` lasts; the ones beyond read as unknown, and memory stays
    /// within the budget whatever the count.
    @Test mutating func splitsIntoHugeCountsStayWithinTheOutputBudget() {
        placeholder("x", Array(repeating: 65536, count: Shapes.maxRank))
        constant("axis", [0], shape: [])
        for index in 0..<64 {
            node("split_\(index)", "Split", ["axis", "x"], ["num_split": .with { $0.i = 65536 }])
        }
        node("first_part", "Identity", ["split_0:1"])
        node("late_part", "Identity", ["split_63:5"])
        let inference = ShapeInference(graph)
        let made = (0..<64).reduce(0) { $0 + (inference.outputs["split_\($1)"]?.count ?? 0) }
        #expect(made <= 64 + OutputBudget.dims / Shapes.maxRank)
        let result = outputs()
        #expect(result["first_part"]?.size == [1] + Array(repeating: 65536, count: Shapes.maxRank - 1))
        #expect(result["late_part"]?.size == TensorSpec.unknownRank)
        #expect(result["split_62"]?.size == [1] + Array(repeating: 65536, count: Shapes.maxRank - 1), "the first output is always made")
    }
}
