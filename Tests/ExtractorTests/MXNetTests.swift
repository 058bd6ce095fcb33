import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// MXNet packages built here (symbol JSON in every dialect, `.params` in every NDArray
/// layout, hostile headers); the fixture corpus checks real MXNet exports.
@Suite struct MXNetTests {
    /// A symbol graph built node by node, written as MXNet writes `-symbol.json`.
    private struct Graph {
        private var nodes: [[String: Any]] = []

        @discardableResult
        mutating func variable(_ name: String, _ attrs: [String: String] = [:]) -> Int {
            nodes.append(["op": "null", "name": name, "inputs": [] as [Any], "attrs": attrs])
            return nodes.count - 1
        }

        @discardableResult
        mutating func op(_ op: String, _ name: String, _ inputs: [Int], _ attrs: [String: String] = [:]) -> Int {
            nodes.append(["op": op, "name": name, "inputs": inputs.map { [$0, 0, 0] }, "attrs": attrs])
            return nodes.count - 1
        }

        func json(heads: [(node: Int, output: Int)]) -> String {
            let symbol: [String: Any] = [
                "nodes": nodes, "arg_nodes": [] as [Int], "heads": heads.map { [$0.node, $0.output, 0] },
                "attrs": ["mxnet_version": ["int", 10600] as [Any]],
            ]
            return String(decoding: try! JSONSerialization.data(withJSONObject: symbol, options: [.sortedKeys]), as: UTF8.self)
        }

        func json(heads: [Int]) -> String { json(heads: heads.map { ($0, 0) }) }
    }

    /// Extracts a package of `symbol` and `params` with an ormbfile giving input sizes.
    private func extract(_ symbol: String, _ params: Data = MXNetParamsBuilder.file([]), inputs: [String: [Int]] = [:]) throws -> Signature {
        let scratch = try TemporaryDirectory()
        var ormbfile = "format: MXNetParams\n"
        if !inputs.isEmpty {
            ormbfile += "signature:\n  inputs:\n"
            for (name, size) in inputs.sorted(by: { $0.key < $1.key }) {
                ormbfile += "    - name: \(name)\n      size: \(size)\n      dType: float32\n"
            }
        }
        try scratch.write("package/ormbfile.yaml", ormbfile)
        try scratch.write("package/model/net-symbol.json", symbol)
        try scratch.write("package/model/net-0000.params", params)
        return try Extraction.signature(of: ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)).1
    }

    private func extractionError(_ symbol: String, _ params: Data) -> KleverError? {
        #expect(throws: KleverError.self) { try extract(symbol, params) }
    }

    // MARK: Signatures

    @Test func convolutionalNetFromUserInputShapes() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let convParameters = ["conv0_weight", "conv0_bias"].map { graph.variable($0) }
        let conv = graph.op("Convolution", "conv0", [data] + convParameters,
                            ["kernel": "(7, 7)", "stride": "(2, 2)", "pad": "(3, 3)", "num_filter": "8"])
        let normParameters = ["gamma", "beta", "moving_mean", "moving_var"].map { graph.variable("bn0_" + $0) }
        let norm = graph.op("BatchNorm", "bn0", [conv] + normParameters, ["fix_gamma": "False"])
        let relu = graph.op("Activation", "relu0", [norm], ["act_type": "relu"])
        let pool = graph.op("Pooling", "pool0", [relu], ["kernel": "(3, 3)", "stride": "(2, 2)", "pad": "(1, 1)", "pool_type": "max"])
        let flat = graph.op("Flatten", "flatten0", [pool])
        let fcParameters = ["fc_weight", "fc_bias"].map { graph.variable($0) }
        let fc = graph.op("FullyConnected", "fc", [flat] + fcParameters, ["num_hidden": "10"])
        let label = graph.variable("softmax_label")
        let softmax = graph.op("SoftmaxOutput", "softmax", [fc, label])
        let params = MXNetParamsBuilder.file([
            ("arg:conv0_weight", [8, 3, 7, 7]), ("arg:conv0_bias", [8]), ("arg:bn0_gamma", [8]), ("arg:bn0_beta", [8]),
            ("aux:bn0_moving_mean", [8]), ("aux:bn0_moving_var", [8]), ("arg:fc_weight", [10, 512]), ("arg:fc_bias", [10]),
        ])

        let signature = try extract(graph.json(heads: [softmax]), params, inputs: ["data": [1, 3, 32, 32]])

        // The label is no parameter, so MXNet lists it as an input too, shaped by the predictions.
        #expect(signature.inputs == [
            TensorSpec(name: "data", size: [1, 3, 32, 32], dType: "float32"),
            TensorSpec(name: "softmax_label", size: [1], dType: "float32"),
        ])
        // 32 -> conv 7/2 pad 3 -> 16 -> pool 3/2 pad 1 -> 8; 8 * 8 * 8 = 512 features.
        #expect(signature.outputs == [TensorSpec(name: "softmax_output", size: [1, 10], dType: "float32")])
        #expect(signature.layers == [
            "Convolution": 1, "BatchNorm": 1, "Activation": 1, "Pooling": 1, "Flatten": 1, "FullyConnected": 1, "SoftmaxOutput": 1,
        ])
    }

    @Test func upstreamPackageWithInputsTheUserDidNotName() throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(Fixtures.upstreamRoot.appendingPathComponent("mxnetparams"), as: "package")
        let (format, signature) = try Extraction.signature(of: ModelPackageFolder(path: package.path))
        #expect(format == .mxnetParams)
        // The ormbfile describes `data`; the graph's inputs are `data0` and `data1`.
        #expect(signature.inputs == [
            TensorSpec(name: "data0", size: [-1], dType: "float32"), TensorSpec(name: "data1", size: [-1], dType: "float32"),
        ])
        #expect(signature.outputs == [TensorSpec(name: "additionmodel_m0__plus0_output", size: [-1], dType: "float32")])
        #expect(signature.layers == ["elemwise_add": 1])
    }

    @Test func mxnet08SymbolWithParamAttrAndTwoNumberEntries() throws {
        let symbol = """
            {"nodes": [
              {"op": "null", "param": {}, "name": "data", "inputs": [], "backward_source_id": -1},
              {"op": "null", "param": {}, "name": "fc1_weight", "inputs": [], "backward_source_id": -1},
              {"op": "null", "param": {}, "name": "fc1_bias", "inputs": [], "backward_source_id": -1},
              {"op": "FullyConnected", "param": {"no_bias": "False", "num_hidden": "128"}, "attr": {"ctx_group": "stage1"},
               "name": "fc1", "inputs": [[0, 0], [1, 0], [2, 0]], "backward_source_id": -1},
              {"op": "Activation", "param": {"act_type": "relu"}, "name": "relu1", "inputs": [[3, 0]], "backward_source_id": -1}
            ], "arg_nodes": [0, 1, 2], "heads": [[4, 0]]}
            """
        // MXNet 0.8 saved its arrays without a magic number: rank, then uint32 dims.
        let params = MXNetParamsBuilder.file([("arg:fc1_weight", [128, 784]), ("arg:fc1_bias", [128])], layout: .legacy)
        let signature = try extract(symbol, params, inputs: ["data": [64, 1, 28, 28]])
        #expect(signature.inputs == [TensorSpec(name: "data", size: [64, 1, 28, 28], dType: "float32")])
        #expect(signature.outputs == [TensorSpec(name: "relu1_output", size: [64, 128], dType: "float32")])
        #expect(signature.layers == ["FullyConnected": 1, "Activation": 1])
    }

    @Test func variableShapeAndDtypeAttributesServeWhenTheUserGivesNone() throws {
        var graph = Graph()
        let data = graph.variable("data", ["__shape__": "(0, 3, 8, 8)", "__dtype__": "2"])
        let pool = graph.op("Pooling", "gap", [data], ["global_pool": "True", "kernel": "(1, 1)", "pool_type": "avg"])
        let signature = try extract(graph.json(heads: [pool]))
        #expect(signature.inputs == [TensorSpec(name: "data", size: [-1, 3, 8, 8], dType: "float16")])
        #expect(signature.outputs == [TensorSpec(name: "gap_output", size: [-1, 3, 1, 1], dType: "float16")])
    }

    @Test func outputsAreNamedAsListOutputsNamesThem() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let split = graph.op("SliceChannel", "split", [data], ["num_outputs": "2", "axis": "1"])
        let normParameters = ["gamma", "beta", "moving_mean", "moving_var"].map { graph.variable("bn_" + $0) }
        let norm = graph.op("BatchNorm", "bn", [data] + normParameters, ["output_mean_var": "True"])
        let dropout = graph.op("Dropout", "drop", [data], ["p": "0.5"])
        let symbol = graph.json(heads: [(split, 0), (split, 1), (norm, 1), (dropout, 0), (data, 0)])
        let params = MXNetParamsBuilder.file(["arg:bn_gamma", "arg:bn_beta", "aux:bn_moving_mean", "aux:bn_moving_var"].map { ($0, [4]) })
        let signature = try extract(symbol, params, inputs: ["data": [2, 4, 5]])
        #expect(signature.outputs == [
            TensorSpec(name: "split_output0", size: [2, 2, 5], dType: "float32"),
            TensorSpec(name: "split_output1", size: [2, 2, 5], dType: "float32"),
            TensorSpec(name: "bn_mean", size: [4], dType: "float32"),
            TensorSpec(name: "drop_output", size: [2, 4, 5], dType: "float32"),
            TensorSpec(name: "data", size: [2, 4, 5], dType: "float32"),
        ])
    }

    @Test func inputsTheUserDoesNotShapeTakeWhatTheGraphImplies() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let other = graph.variable("other")
        let sum = graph.op("elemwise_add", "sum", [data, other])
        let fc = graph.op("FullyConnected", "fc", [sum], ["num_hidden": "1"])
        let target = graph.variable("target")
        let regression = graph.op("LinearRegressionOutput", "regression", [fc, target])
        let alone = graph.op("SoftmaxOutput", "alone", [sum])
        let signature = try extract(graph.json(heads: [regression, alone]), inputs: ["data": [4, 3]])
        #expect(signature.inputs == [
            TensorSpec(name: "data", size: [4, 3], dType: "float32"),
            TensorSpec(name: "other", size: [4, 3], dType: "float32"),
            TensorSpec(name: "target", size: [4], dType: "float32"),
        ])
        #expect(signature.outputs.map(\.size) == [[4, 1], [4, 3]], "a softmax without its label input")
    }

    @Test func anUnknownOpLeavesUnknownShapesNotAnError() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let custom = graph.op("Custom", "mine", [data], ["op_type": "my_op"])
        let relu = graph.op("relu", "after", [custom])
        let signature = try extract(graph.json(heads: [relu]), inputs: ["data": [1, 2]])
        #expect(signature.outputs == [TensorSpec(name: "after_output", size: [-1], dType: "float32")])
        #expect(signature.layers == ["Custom": 1, "relu": 1])
    }

    @Test func nodesTheHeadsDoNotUseAreNeitherInputsNorLayers() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let other = graph.variable("other")
        graph.op("Activation", "unused", [other], ["act_type": "tanh"])
        let out = graph.op("_plus_scalar", "plus", [data], ["scalar": "1.0"])
        let signature = try extract(graph.json(heads: [out]), inputs: ["data": [3]])
        #expect(signature.inputs.map(\.name) == ["data"])
        #expect(signature.layers == ["_plus_scalar": 1])
    }

    // MARK: Shape rules

    /// The output of one op applied to inputs of the given shapes.
    private func shape(_ op: String, _ attrs: [String: String] = [:], _ shapes: [Int]...) throws -> [Int]? {
        var graph = Graph()
        let inputs = shapes.indices.map { graph.variable("x\($0)") }
        let node = graph.op(op, "op", inputs, attrs)
        let given = Dictionary(uniqueKeysWithValues: shapes.enumerated().map { ("x\($0.offset)", $0.element) })
        return try extract(graph.json(heads: [node]), inputs: given).outputs.first?.size
    }

    @Test func reshapeSpecialCodesAsMXNetDocumentsThem() {
        let cases: [([Int], [Int], Bool, [Int])] = [
            ([2, 3, 4], [4, 0, 2], false, [4, 3, 2]),
            ([2, 3, 4], [2, 0, 0], false, [2, 3, 4]),
            ([2, 3, 4], [6, 1, -1], false, [6, 1, 4]),
            ([2, 3, 4], [3, -1, 8], false, [3, 1, 8]),
            ([2, 3, 4], [-1], false, [24]),
            ([2, 3, 4], [-2], false, [2, 3, 4]),
            ([2, 3, 4], [2, -2], false, [2, 3, 4]),
            ([2, 3, 4], [-2, 1, 1], false, [2, 3, 4, 1, 1]),
            ([2, 3, 4, 5], [-3, -3], false, [6, 20]),
            ([2, 3, 4], [0, -3], false, [2, 12]),
            ([2, 3, 4], [-3, -2], false, [6, 4]),
            ([2, 3, 4], [-4, 1, 2, -2], false, [1, 2, 3, 4]),
            ([2, 3, 4], [2, -4, -1, 3, -2], false, [2, 1, 3, 4]),
            ([10, 5, 4], [-1, 0], false, [40, 5]),
            ([10, 5, 4], [-1, 0], true, [50, 4]),
            // An unknown batch leaves the inferred dim unknown, as in MXNet.
            ([-1, 3, 4], [0, -1], false, [-1, -1]),
        ]
        for (input, codes, reverse, expected) in cases {
            #expect(MXNetOps.reshaped(input, codes, reverse: reverse) == expected, "\(input) reshaped by \(codes) reverse \(reverse)")
        }
        #expect(MXNetOps.reshaped([2, 3], [-1, -1], reverse: false) == nil, "two dims to infer")
    }

    @Test func windowOps() throws {
        #expect(try shape("Convolution", ["kernel": "(3, 3)", "num_filter": "16", "dilate": "(2, 2)", "num_group": "2"], [1, 4, 9, 9]) == [1, 16, 5, 5])
        #expect(try shape("Convolution", ["kernel": "(3,)", "num_filter": "4", "stride": "(2,)"], [1, 2, 11]) == [1, 4, 5])
        #expect(try shape("Convolution", ["kernel": "[3,3]", "num_filter": "8", "layout": "NHWC"], [1, 7, 7, 2]) == [1, 5, 5, 8])
        #expect(try shape("Pooling", ["kernel": "(3, 3)", "stride": "(2, 2)"], [1, 3, 8, 8]) == [1, 3, 3, 3], "valid rounds down")
        #expect(try shape("Pooling", ["kernel": "(3, 3)", "stride": "(2, 2)", "pooling_convention": "full"], [1, 3, 8, 8]) == [1, 3, 4, 4])
        #expect(try shape("Pooling", ["global_pool": "True", "pool_type": "avg"], [2, 5, 7, 7]) == [2, 5, 1, 1])
        #expect(try shape("Deconvolution", ["kernel": "(4, 4)", "stride": "(2, 2)", "pad": "(1, 1)", "num_filter": "3"], [1, 8, 5, 5]) == [1, 3, 10, 10])
        #expect(try shape("UpSampling", ["scale": "2", "sample_type": "nearest"], [1, 3, 4, 5]) == [1, 3, 8, 10])
    }

    @Test func denseAndEmbeddingOps() throws {
        #expect(try shape("FullyConnected", ["num_hidden": "7"], [4, 2, 3]) == [4, 7])
        #expect(try shape("FullyConnected", ["num_hidden": "7", "flatten": "False"], [4, 2, 3]) == [4, 2, 7])
        #expect(try shape("Embedding", ["input_dim": "100", "output_dim": "16"], [8, 20]) == [8, 20, 16])
        #expect(try shape("LeakyReLU", ["act_type": "prelu"], [2, 3], [3]) == [2, 3])
    }

    @Test func arrayOps() throws {
        #expect(try shape("Concat", ["dim": "1", "num_args": "2"], [2, 3, 4], [2, 5, 4]) == [2, 8, 4])
        #expect(try shape("Concat", ["dim": "-1"], [2, 3], [-1, 4]) == [2, 7])
        #expect(try shape("transpose", [:], [2, 3, 4]) == [4, 3, 2])
        #expect(try shape("transpose", ["axes": "(0, 2, 1)"], [2, 3, 4]) == [2, 4, 3])
        #expect(try shape("slice_axis", ["axis": "1", "begin": "1", "end": "None"], [2, 5]) == [2, 4])
        #expect(try shape("slice_axis", ["axis": "-1", "begin": "-3", "end": "-1"], [2, 5]) == [2, 2])
        #expect(try shape("mean", ["axis": "(1, 2)"], [2, 3, 4]) == [2])
        #expect(try shape("mean", ["axis": "1", "keepdims": "True"], [2, 3, 4]) == [2, 1, 4])
        #expect(try shape("mean", ["axis": "1", "exclude": "True"], [2, 3, 4]) == [3])
        #expect(try shape("mean", [:], [2, 3, 4]) == [1], "a full reduction is [1] in MXNet")
        #expect(try shape("Reshape", ["shape": "(0, -1)"], [2, 3, 4]) == [2, 12])
        #expect(try shape("Reshape", ["shape": "(-1, 0)", "reverse": "True"], [10, 5, 4]) == [50, 4])
    }

    @Test func elementwiseOps() throws {
        #expect(try shape("elemwise_add", [:], [-1, 3], [2, 3]) == [2, 3], "equal shapes: each fills the other's unknown dims")
        #expect(try shape("broadcast_mul", [:], [4, 1, 5], [3, 1]) == [4, 3, 5])
        #expect(try shape("_mul_scalar", ["scalar": "2"], [4, 1]) == [4, 1])
        #expect(try shape("clip", ["a_min": "0", "a_max": "6"], [1, 2]) == [1, 2])
        #expect(try shape("LRN", ["nsize": "5"], [1, 8, 4, 4]) == [1, 8, 4, 4])
    }

    // MARK: .params files

    @Test func paramsLayoutsAllReadTheSame() throws {
        for layout in [MXNetParamsBuilder.Layout.v2, .v3, .v1, .legacy] {
            let scratch = try TemporaryDirectory()
            let url = try scratch.write("x.params", MXNetParamsBuilder.file([
                .init(name: "arg:w", shape: [3, 2], flag: 1), .init(name: "aux:mean", shape: [3], flag: 2), .init(name: "plain", shape: [1], flag: 6),
            ], layout: layout))
            let params = try MXNetParams(MappedFile(url, name: "x.params"))
            #expect(params.arrays.map(\.name) == ["arg:w", "aux:mean", "plain"], "\(layout)")
            #expect(params.parameters["w"] == InferredTensor(dType: .float64, shape: [3, 2]), "\(layout)")
            #expect(params.parameters["mean"] == InferredTensor(dType: .float16, shape: [3]), "\(layout)")
            #expect(params.parameters["plain"] == InferredTensor(dType: .int64, shape: [1]), "\(layout)")
        }
    }

    @Test func sparseArraysSkipTheirIndices() throws {
        var builder = MXNetParamsBuilder()
        builder.u64(0x112)
        builder.u64(0)
        builder.u64(2)
        builder.rowSparse(shape: [100, 8], rows: 3)
        builder.array(.init(name: "b", shape: [8]), layout: .v2)
        builder.u64(2)
        for name in ["arg:embedding_weight", "arg:b"] {
            builder.u64(UInt64(name.utf8.count))
            builder.data.append(contentsOf: Array(name.utf8))
        }
        let scratch = try TemporaryDirectory()
        let params = try MXNetParams(MappedFile(try scratch.write("s.params", builder.data), name: "s.params"))
        #expect(params.parameters["embedding_weight"]?.shape == [100, 8])
        #expect(params.parameters["b"]?.shape == [8])
    }

    @Test func hostileParamsFail() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let relu = graph.op("relu", "r", [data])
        let symbol = graph.json(heads: [relu])

        var huge = MXNetParamsBuilder()
        huge.u64(0x112)
        huge.u64(0)
        huge.u64(1 << 32)
        huge.data.append(Data(count: 96))
        let count = extractionError(symbol, huge.data)
        #expect(count?.code == .malformedModel)
        #expect(count?.file.hasSuffix("model/net-0000.params") == true)
        #expect(count?.detail.contains("declares 4294967296 arrays but the file has 120 bytes") == true, "\(count?.detail ?? "")")

        let whole = MXNetParamsBuilder.file([("arg:w", [64, 64])])
        let truncated = extractionError(symbol, whole.prefix(whole.count / 2))
        #expect(truncated?.detail.contains("truncated") == true, "\(truncated?.detail ?? "")")

        var hugeShape = MXNetParamsBuilder()
        hugeShape.u64(0x112)
        hugeShape.u64(0)
        hugeShape.u64(1)
        hugeShape.u32(0xF993_FAC9)
        hugeShape.i32(0)
        hugeShape.int64Shape([1 << 40, 1 << 40])
        hugeShape.data.append(Data(count: 12))
        let overflow = extractionError(symbol, hugeShape.data)
        #expect(overflow?.detail.contains("too large") == true, "\(overflow?.detail ?? "")")

        var longName = MXNetParamsBuilder()
        longName.u64(0x112)
        longName.u64(0)
        longName.u64(1)
        longName.array(.init(name: "w", shape: [2]), layout: .v2)
        longName.u64(1)
        longName.u64(UInt64.max)
        let name = extractionError(symbol, longName.data)
        #expect(name?.detail.contains("truncated: name 0") == true, "\(name?.detail ?? "")")

        let notParams = extractionError(symbol, Data(symbol.utf8))
        #expect(notParams?.detail.contains("magic") == true)
        #expect(notParams?.detail.contains("it is JSON, like a symbol file") == true, "\(notParams?.detail ?? "")")

        var legacyRank = MXNetParamsBuilder()
        legacyRank.u64(0x112)
        legacyRank.u64(0)
        legacyRank.u64(1)
        legacyRank.u32(0x7FFF_FFFF)
        let rank = extractionError(symbol, legacyRank.data)
        #expect(rank?.detail.contains("legacy header") == true, "\(rank?.detail ?? "")")
    }

    @Test func brokenSymbolsFail() {
        let params = MXNetParamsBuilder.file([])
        let forward = extractionError("""
            {"nodes": [{"op": "relu", "name": "r", "inputs": [[1, 0, 0]]}, {"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0, 0]]}
            """, params)
        #expect(forward?.file.hasSuffix("model/net-symbol.json") == true)
        #expect(forward?.detail.contains("node 0 ('r') has the input [1, 0, 0]") == true, "\(forward?.detail ?? "")")

        let head = extractionError(#"{"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[5, 0, 0]]}"#, params)
        #expect(head?.detail.contains("head 0 is [5, 0, 0]") == true, "\(head?.detail ?? "")")

        let noHeads = extractionError(#"{"nodes": [{"op": "null", "name": "x", "inputs": []}]}"#, params)
        #expect(noHeads?.detail.contains("no heads") == true)

        let noOp = extractionError(#"{"nodes": [{"name": "x", "inputs": []}], "heads": [[0, 0, 0]]}"#, params)
        #expect(noOp?.detail.contains(#"nodes[0] has no "op""#) == true, "\(noOp?.detail ?? "")")

        let notJSON = extractionError("nodes: [", params)
        #expect(notJSON?.detail.contains("not JSON: ") == true, "\(notJSON?.detail ?? "")")

        let cut = extractionError(#"{"nodes": [{"op": "null", "na"#, params)
        #expect(cut?.detail.contains("truncated: the JSON ends before it is complete") == true, "\(cut?.detail ?? "")")
    }

    // MARK: Hostile numbers and counts

    /// A user size beyond any tensor (the ormbfile takes any integer) is an unknown dim,
    /// and inference goes on from it; before, the convolution window overflowed.
    @Test func aHugeUserSizeIsAnUnknownDim() throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(Fixtures.root.appendingPathComponent("mxnetparams/convnet"), as: "package")
        try scratch.write("package/ormbfile.yaml", """
            format: MXNetParams
            signature:
              inputs:
              - name: data
                size: [1, 3, 9223372036854775807, 14]
            """)
        let signature = try Extraction.signature(of: ModelPackageFolder(path: package.path)).1
        #expect(signature.inputs.first == TensorSpec(name: "data", size: [1, 3, -1, 14], dType: "float32"))
        #expect(signature.outputs == [TensorSpec(name: "softmax_output", size: [1, 5], dType: "float32")])
    }

    /// Deconvolutions and UpSamplings by 2^31 - 1, chained, and a Concat of dims at the
    /// limit grow past any tensor: unknown, not an overflow trap.
    @Test func chainedGrowthGivesUnknownDimsNotOverflow() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let stride = ["kernel": "(2, 2)", "stride": "(2147483647, 2147483647)", "num_filter": "1"]
        let deconvolved = graph.op("Deconvolution", "d2", [graph.op("Deconvolution", "d1", [data], stride)], stride)
        let scale = ["scale": "2147483647", "sample_type": "nearest"]
        let upsampled = graph.op("UpSampling", "u2", [graph.op("UpSampling", "u1", [data], scale)], scale)
        let pooled = graph.op("Pooling", "p", [data], ["kernel": "(2, 2)", "pad": "(2147483647, 2147483647)", "pooling_convention": "full"])
        let wide = graph.variable("wide")
        let joined = graph.op("Concat", "c", [wide, wide, wide], ["dim": "0"])
        let signature = try extract(
            graph.json(heads: [deconvolved, upsampled, pooled, joined]),
            inputs: ["data": [1, 1, 2_147_483_647, 3], "wide": [4_503_599_627_370_496]])
        #expect(signature.outputs.map(\.size) == [[1, 1, -1, -1], [1, 1, -1, -1], [1, 1, 6_442_450_940, 4_294_967_296], [-1]])
    }

    /// A dim beyond any tensor in a `.params` array passes the byte count when another
    /// dim is 0; it is refused as no weight.
    @Test func paramsDimsBeyondAnyTensorFail() throws {
        var graph = Graph()
        let relu = graph.op("relu", "r", [graph.variable("data")])
        let error = extractionError(graph.json(heads: [relu]), MXNetParamsBuilder.file([("arg:w", [0, 1 << 60])]))
        #expect(error?.code == .malformedModel)
        #expect(error?.detail.contains("array 0 has the shape [0, 1152921504606846976]") == true, "\(error?.detail ?? "")")
    }

    /// SliceChannels into 65535 parts each make outputs while ``OutputBudget`` lasts;
    /// the ones beyond are unknown.
    @Test func splitsIntoHugeCountsStayWithinTheOutputBudget() throws {
        var graph = Graph()
        let data = graph.variable("data")
        let splits = (0..<40).map { graph.op("SliceChannel", "s\($0)", [data], ["num_outputs": "65535", "axis": "0"]) }
        let signature = try extract(
            graph.json(heads: [(splits[0], 1), (splits[39], 5)]),
            inputs: ["data": [65535] + Array(repeating: 1, count: Shapes.maxRank - 1)])
        #expect(signature.outputs.map(\.size) == [Array(repeating: 1, count: Shapes.maxRank), TensorSpec.unknownRank])
    }
}
