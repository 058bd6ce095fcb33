import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// Keras model configs, as JSON text, to signatures: both call forms (Keras 2 lists,
/// Keras 3 `__keras_tensor__` arguments), Sequential, Functional and nested models, the
/// shape rules of each layer family, and configs no Keras would write.
@Suite struct H5ShapeInferenceTests {
    /// Which Keras writes the configs of a test.
    enum Writer: CaseIterable, Sendable {
        case keras2, keras3

        var version: String { self == .keras2 ? "2.21.0" : "3.15.1" }

        /// One layer call's entry of `inbound_nodes`.
        func call(_ inputs: [(String, Int, Int)]) -> String {
            switch self {
            case .keras2:
                return "[" + inputs.map { #"["\#($0.0)", \#($0.1), \#($0.2), {}]"# }.joined(separator: ", ") + "]"
            case .keras3:
                let tensors = inputs.map { #"{"class_name": "__keras_tensor__", "config": {"shape": [null], "dtype": "float32", "keras_history": ["\#($0.0)", \#($0.1), \#($0.2)]}}"# }
                let argument = tensors.count == 1 ? tensors[0] : "[" + tensors.joined(separator: ", ") + "]"
                return #"{"args": [\#(argument)], "kwargs": {}}"#
            }
        }

        func inputLayer(_ name: String, _ shape: String, dtype: String = "float32") -> String {
            let key = self == .keras2 ? "batch_input_shape" : "batch_shape"
            return #"{"class_name": "InputLayer", "name": "\#(name)", "config": {"\#(key)": \#(shape), "dtype": "\#(dtype)", "name": "\#(name)"}, "inbound_nodes": []}"#
        }

        /// A layer called once per entry of `calls` (each the tensors one call takes).
        func layer(_ className: String, _ name: String, _ arguments: String = "", calls: [[(String, Int, Int)]]) -> String {
            let config = arguments.isEmpty ? #"{"name": "\#(name)"}"# : #"{"name": "\#(name)", \#(arguments)}"#
            return #"{"class_name": "\#(className)", "name": "\#(name)", "config": \#(config), "inbound_nodes": [\#(calls.map(call).joined(separator: ", "))]}"#
        }

        func layer(_ className: String, _ name: String, _ arguments: String = "", from inputs: String...) -> String {
            layer(className, name, arguments, calls: [inputs.map { ($0, 0, 0) }])
        }
    }

    static func functional(_ layers: [String], inputs: [String], outputs: [(String, Int, Int)], name: String = "model") -> String {
        let inputList = inputs.map { #"["\#($0)", 0, 0]"# }.joined(separator: ", ")
        let outputList = outputs.map { #"["\#($0.0)", \#($0.1), \#($0.2)]"# }.joined(separator: ", ")
        return #"{"class_name": "Functional", "config": {"name": "\#(name)", "layers": [\#(layers.joined(separator: ", "))], "input_layers": [\#(inputList)], "output_layers": [\#(outputList)]}}"#
    }

    static func functional(_ layers: [String], inputs: [String], outputs: [String], name: String = "model") -> String {
        functional(layers, inputs: inputs, outputs: outputs.map { ($0, 0, 0) }, name: name)
    }

    static func signature(
        _ config: String, version: String? = nil, logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    ) throws -> Signature {
        try KerasH5Reader.signature(config: config, kerasVersion: version, file: "model.h5", logger: logger)
    }

    /// The output of one layer applied to an input of `shape` (a Keras 3 config).
    static func output(_ className: String, _ arguments: String, input shape: String, dtype: String = "float32") throws -> TensorSpec? {
        let keras = Writer.keras3
        let config = functional(
            [keras.inputLayer("x", shape, dtype: dtype), keras.layer(className, "y", arguments, from: "x")], inputs: ["x"], outputs: ["y"])
        return try signature(config, version: keras.version).outputs.first
    }

    // MARK: Model structure

    @Test(arguments: Writer.allCases)
    func functionalGraphInBothCallForms(_ keras: Writer) throws {
        let config = Self.functional([
            keras.inputLayer("image", "[null, 28, 28, 3]"),
            keras.inputLayer("extra", "[null, 5]"),
            keras.layer("Conv2D", "conv", #""filters": 8, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same""#, from: "image"),
            keras.layer("Flatten", "flat", from: "conv"),
            keras.layer("Concatenate", "joined", #""axis": -1"#, from: "flat", "extra"),
            keras.layer("Dense", "logits", #""units": 10"#, from: "joined"),
        ], inputs: ["image", "extra"], outputs: ["logits", "conv"])
        let signature = try Self.signature(config, version: keras.version)
        #expect(signature == Signature(
            inputs: [TensorSpec(name: "image", size: [-1, 28, 28, 3], dType: "float32"), TensorSpec(name: "extra", size: [-1, 5], dType: "float32")],
            outputs: [TensorSpec(name: "logits", size: [-1, 10], dType: "float32"), TensorSpec(name: "conv", size: [-1, 14, 14, 8], dType: "float32")],
            layers: ["InputLayer": 2, "Conv2D": 1, "Flatten": 1, "Concatenate": 1, "Dense": 1]))
        // The same without keras_version: the call form tells the writer.
        #expect(try Self.signature(config) == signature)
    }

    @Test func layersListedOutOfOrderAndSharedLayers() throws {
        let keras = Writer.keras2
        // `shared` is called twice; its second call feeds `head`, listed before it.
        let config = Self.functional([
            keras.layer("Dense", "head", #""units": 2"#, calls: [[("shared", 1, 0)]]),
            keras.layer("Dense", "shared", #""units": 4"#, calls: [[("x", 0, 0)], [("shared", 0, 0)]]),
            keras.inputLayer("x", "[null, 4]"),
        ], inputs: ["x"], outputs: [("head", 0, 0), ("shared", 1, 0)])
        let signature = try Self.signature(config, version: keras.version)
        #expect(signature.outputs.map(\.size) == [[-1, 2], [-1, 4]])
    }

    @Test func sequentialModels() throws {
        // Keras 3: an InputLayer, which model.layers leaves out.
        let keras3 = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [\#(Writer.keras3.inputLayer("tokens", "[null, 16]", dtype: "int32")), {"class_name": "Embedding", "config": {"name": "embed", "input_dim": 100, "output_dim": 8}}, {"class_name": "GlobalAveragePooling1D", "config": {"name": "pool"}}]}}"#
        #expect(try Self.signature(keras3, version: "3.15.1") == Signature(
            inputs: [TensorSpec(name: "tokens", size: [-1, 16], dType: "int32")],
            outputs: [TensorSpec(name: "pool", size: [-1, 8], dType: "float32")],
            layers: ["Embedding": 1, "GlobalAveragePooling1D": 1]))
        // Keras 2: the first layer carries the input shape; Keras names the input after it.
        let keras2 = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "hidden", "batch_input_shape": [null, 3], "dtype": "float32", "units": 5}}, {"class_name": "Dense", "config": {"name": "out", "units": 2}}]}}"#
        let signature = try Self.signature(keras2, version: "2.21.0")
        #expect(signature.inputs == [TensorSpec(name: "hidden_input", size: [-1, 3], dType: "float32")])
        #expect(signature.outputs == [TensorSpec(name: "out", size: [-1, 2], dType: "float32")])
        // Never built: no input shape to start from.
        let unbuilt = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 5}}]}}"#
        let error = #expect(throws: KleverError.self) { try Self.signature(unbuilt) }
        #expect(error?.detail.contains("has no input shape") == true)
    }

    /// A model used as a layer: counted once, shapes flowing through it from the
    /// caller's tensors. Keras 2 counts a nested model's own first call in node indices
    /// (`inner` is called as node 1); a Keras 3 Sequential does not (node 0).
    @Test(arguments: Writer.allCases)
    func nestedModels(_ keras: Writer) throws {
        let innerSequential = #"{"class_name": "Sequential", "name": "inner", "config": {"name": "inner", "layers": [\#(keras.inputLayer("inner_input", "[null, 8]")), {"class_name": "Dense", "config": {"name": "inner_dense", "units": 4}}]}, "inbound_nodes": [\#(keras.call([("pool", 0, 0)]))]}"#
        let innerFunctional = Self.functional(
            [keras.inputLayer("aux", "[null, 4]"), keras.layer("Dense", "fd", #""units": 2"#, from: "aux")],
            inputs: ["aux"], outputs: ["fd"], name: "finner")
        let sequentialNode = keras == .keras2 ? 1 : 0
        let nestedFunctional = String(innerFunctional.dropLast()) + #", "name": "finner", "inbound_nodes": [\#(keras.call([("inner", sequentialNode, 0)]))]}"#
        let config = Self.functional([
            keras.inputLayer("x", "[null, 6, 8]"),
            keras.layer("GlobalAveragePooling1D", "pool", from: "x"),
            innerSequential,
            nestedFunctional,
        ], inputs: ["x"], outputs: [("inner", sequentialNode, 0), ("finner", 1, 0)])
        let signature = try Self.signature(config, version: keras.version)
        #expect(signature.outputs == [TensorSpec(name: "inner", size: [-1, 4], dType: "float32"), TensorSpec(name: "finner", size: [-1, 2], dType: "float32")])
        #expect(signature.layers == ["InputLayer": 1, "GlobalAveragePooling1D": 1, "Sequential": 1, "Functional": 1])
    }

    @Test func recurrentStatesAreOutputsOfTheirOwn() throws {
        let keras = Writer.keras3
        let config = Self.functional([
            keras.inputLayer("steps", "[null, 10, 3]"),
            keras.layer("LSTM", "lstm", #""units": 5, "return_state": true, "return_sequences": true"#, from: "steps"),
        ], inputs: ["steps"], outputs: [("lstm", 0, 0), ("lstm", 0, 1), ("lstm", 0, 2)])
        let outputs = try Self.signature(config, version: keras.version).outputs
        // Output names are unique as tf.keras makes them.
        #expect(outputs.map(\.name) == ["lstm", "lstm_1", "lstm_2"])
        #expect(outputs.map(\.size) == [[-1, 10, 5], [-1, 5], [-1, 5]])
    }

    // MARK: Unknown layers and dtypes

    @Test func anUnknownLayerGivesUnknownRankDownstreamAndOneWarning() throws {
        let keras = Writer.keras2
        let config = Self.functional([
            keras.inputLayer("x", "[null, 5]"),
            keras.layer("Lambda", "double", from: "x"),
            keras.layer("Lambda", "again", from: "double"),
            keras.layer("Dense", "after", #""units": 3"#, from: "again"),
            keras.layer("Dense", "beside", #""units": 2"#, from: "x"),
        ], inputs: ["x"], outputs: ["after", "beside"])
        let log = LogRecorder()
        let signature = try Self.signature(config, logger: log.logger)
        #expect(signature.outputs == [TensorSpec(name: "after", size: [-1], dType: "float32"), TensorSpec(name: "beside", size: [-1, 2], dType: "float32")])
        #expect(log.messages == [.init(level: .warning, text: "no shape rule for Keras layer class Lambda; the outputs of double, again have unknown dims")])
    }

    @Test func dtypesFollowInputsAndPolicies() throws {
        // A non-float input keeps its dtype through layers that only move data ...
        #expect(try Self.output("Reshape", #""target_shape": [2, -1]"#, input: "[null, 6]", dtype: "int32")?.dType == "int32")
        // ... and computing layers give their policy's dtype.
        #expect(try Self.output("Embedding", #""input_dim": 9, "output_dim": 4"#, input: "[null, 6]", dtype: "int32")?.dType == "float32")
        let mixed = #""units": 4, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}"#
        #expect(try Self.output("Dense", mixed, input: "[null, 6]")?.dType == "float16")
        #expect(try Self.output("Dense", #""units": 4, "dtype": "float64""#, input: "[null, 6]")?.dType == "float64")
        #expect(try Self.signature(Self.functional([Writer.keras3.inputLayer("s", "[null]", dtype: "string")], inputs: ["s"], outputs: ["s"])).inputs.first?.dType == "object")
    }

    // MARK: Shape rules

    struct Case: Sendable, CustomTestStringConvertible {
        let className: String
        let arguments: String
        let input: String
        let output: [Int]
        var testDescription: String { "\(className)(\(arguments)) of \(input)" }

        init(_ className: String, _ arguments: String, _ input: String, _ output: [Int]) {
            self.className = className
            self.arguments = arguments
            self.input = input
            self.output = output
        }
    }

    static let convolutions: [Case] = [
        Case("Conv2D", #""filters": 4, "kernel_size": [5, 5], "strides": [2, 3], "data_format": "channels_first""#, "[null, 3, 32, 30]", [-1, 4, 14, 9]),
        Case("Conv2D", #""filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "valid""#, "[null, 20, 20, 1]", [-1, 16, 16, 4]),
        Case("Conv1D", #""filters": 6, "kernel_size": [5], "strides": [2], "padding": "causal""#, "[null, 50, 4]", [-1, 25, 6]),
        Case("Conv3D", #""filters": 3, "kernel_size": [3, 2, 1], "strides": [2, 1, 1]"#, "[null, 10, 12, 14, 2]", [-1, 4, 11, 14, 3]),
        Case("Conv2D", #""filters": 2, "kernel_size": [3, 3]"#, "[null, null, 9, 1]", [-1, -1, 7, 2]),
        Case("DepthwiseConv2D", #""kernel_size": [3, 3], "depth_multiplier": 2"#, "[null, 8, 8, 5]", [-1, 6, 6, 10]),
        Case("SeparableConv2D", #""filters": 4, "kernel_size": [3, 3], "dilation_rate": [2, 2], "padding": "same""#, "[null, 7, 7, 3]", [-1, 7, 7, 4]),
        Case("Conv2DTranspose", #""filters": 5, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same""#, "[null, 6, 7, 4]", [-1, 12, 14, 5]),
        Case("Conv2DTranspose", #""filters": 5, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid""#, "[null, 6, 7, 4]", [-1, 13, 15, 5]),
        Case("Conv2DTranspose", #""filters": 1, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "output_padding": [1, 0]"#, "[null, 6, 6, 4]", [-1, 12, 11, 1]),
    ]

    static let pooling: [Case] = [
        Case("MaxPooling2D", #""pool_size": [2, 2], "padding": "valid", "strides": null"#, "[null, 7, 9, 3]", [-1, 3, 4, 3]),
        Case("AveragePooling1D", #""pool_size": [2], "strides": [2], "padding": "same""#, "[null, 5, 6]", [-1, 3, 6]),
        Case("MaxPooling3D", #""pool_size": [2, 2, 2], "padding": "same", "data_format": "channels_first""#, "[null, 2, 5, 4, 3]", [-1, 2, 3, 2, 2]),
        Case("GlobalAveragePooling2D", #""data_format": "channels_first""#, "[null, 4, 18, 6]", [-1, 4]),
        Case("GlobalMaxPooling2D", #""keepdims": true"#, "[null, 3, 3, 5]", [-1, 1, 1, 5]),
        Case("GlobalMaxPooling1D", "", "[null, 9, 5]", [-1, 5]),
    ]

    static let reshaping: [Case] = [
        Case("Flatten", "", "[null, 3, 4, 5]", [-1, 60]),
        Case("Flatten", "", "[null, null, 4]", [-1, -1]),
        Case("Reshape", #""target_shape": [-1, 5]"#, "[null, 5, 7]", [-1, 7, 5]),
        Case("Reshape", #""target_shape": [-1, 5]"#, "[null, null, 5]", [-1, -1, 5]),
        Case("Permute", #""dims": [2, 1]"#, "[null, 10, 7]", [-1, 7, 10]),
        Case("RepeatVector", #""n": 3"#, "[null, 4]", [-1, 3, 4]),
        Case("ZeroPadding2D", #""padding": [[1, 2], [3, 0]]"#, "[null, 5, 5, 2]", [-1, 8, 8, 2]),
        Case("ZeroPadding2D", #""padding": 1, "data_format": "channels_first""#, "[null, 2, 5, 5]", [-1, 2, 7, 7]),
        Case("ZeroPadding1D", #""padding": [1, 2]"#, "[null, 5, 2]", [-1, 8, 2]),
        Case("Cropping2D", #""cropping": [[0, 1], [2, 1]]"#, "[null, 9, 9, 2]", [-1, 8, 6, 2]),
        Case("UpSampling2D", #""size": [2, 1], "data_format": "channels_first""#, "[null, 4, 9, 3]", [-1, 4, 18, 3]),
        Case("UpSampling1D", #""size": 3"#, "[null, 4, 2]", [-1, 12, 2]),
    ]

    static let others: [Case] = [
        Case("Dense", #""units": 7"#, "[null, 2, 3]", [-1, 2, 7]),
        Case("Embedding", #""input_dim": 10, "output_dim": 4"#, "[null, 6]", [-1, 6, 4]),
        Case("BatchNormalization", #""axis": [1]"#, "[null, 4, 2]", [-1, 4, 2]),
        Case("LeakyReLU", #""negative_slope": 0.3"#, "[null, 4]", [-1, 4]),
        Case("Dropout", #""rate": 0.5"#, "[null, 4]", [-1, 4]),
        Case("SimpleRNN", #""units": 7"#, "[null, null, 3]", [-1, 7]),
        Case("GRU", #""units": 6, "return_sequences": true"#, "[null, 12, 3]", [-1, 12, 6]),
        Case("Bidirectional", #""layer": {"class_name": "LSTM", "config": {"name": "l", "units": 4, "return_sequences": true}}, "merge_mode": "concat""#, "[null, 5, 3]", [-1, 5, 8]),
        Case("TimeDistributed", #""layer": {"class_name": "Dense", "config": {"name": "d", "units": 8}}"#, "[null, 6, 3]", [-1, 6, 8]),
    ]

    @Test(arguments: convolutions + pooling + reshaping + others)
    func layerRule(_ rule: Case) throws {
        let size = try Self.output(rule.className, rule.arguments, input: rule.input)?.size
        #expect(size == rule.output)
    }

    @Test func mergesBroadcastAsKerasDoes() throws {
        let keras = Writer.keras3
        let config = Self.functional([
            keras.inputLayer("a", "[null, 5, 7]"),
            keras.inputLayer("b", "[null, 1, 7]"),
            keras.inputLayer("c", "[null, null, 7]"),
            keras.layer("Add", "broadcast", from: "a", "b"),
            // An unknown dim stays unknown even against 1.
            keras.layer("Multiply", "unknown", from: "b", "c"),
            keras.layer("Concatenate", "stacked", #""axis": 1"#, from: "a", "b"),
        ], inputs: ["a", "b", "c"], outputs: ["broadcast", "unknown", "stacked"])
        #expect(try Self.signature(config).outputs.map(\.size) == [[-1, 5, 7], [-1, -1, 7], [-1, 6, 7]])
    }

    // MARK: Configs no Keras writes

    @Test func hostileConfigsAreErrorsNotCrashes() throws {
        let keras = Writer.keras2
        let cases: [(String, String)] = [
            (Self.functional([keras.inputLayer("x", "[null, 2]"), keras.layer("Dense", "d", #""units": 1"#, from: "nowhere")], inputs: ["x"], outputs: ["d"]),
             "model_config: layer d takes a tensor of layer nowhere, which the model does not have"),
            (Self.functional([keras.inputLayer("x", "[null, 2]"), keras.layer("Add", "a", from: "x", "b"), keras.layer("Add", "b", from: "a", "x")], inputs: ["x"], outputs: ["b"]),
             "model_config: layer a is never called: its inputs form a cycle or come from a call that never happens"),
            (Self.functional([keras.inputLayer("x", "[null, 2]"), keras.layer("Dense", "d", calls: [[("x", 0, 0)]])], inputs: ["x"], outputs: [("d", 3, 0)]),
             "model_config: output_layers takes [d, 3, 0] but layer d is called 1 times"),
            (Self.functional([keras.inputLayer("x", "[null, 2]"), keras.inputLayer("x", "[null, 3]")], inputs: ["x"], outputs: ["x"]),
             "model_config: two layers are named x"),
            (Self.functional([keras.inputLayer("x", "[null, 2]"), keras.layer("Dense", "d", #""units": 1"#, from: "x")], inputs: ["d"], outputs: ["d"]),
             "model_config: input_layers names d, which is not an InputLayer"),
            (#"{"class_name": "MyModel", "config": {"name": "m"}}"#,
             "model_config: 'MyModel' has no layers: klever reads Functional and Sequential models"),
            (#"[1, 2]"#, "model_config: no class_name"),
        ]
        for (config, message) in cases {
            let error = #expect(throws: KleverError.self) { try Self.signature(config) }
            #expect(error?.code == .malformedModel)
            #expect(error?.detail == message)
        }
    }

    @Test func configsAsPythonWritesThemAndBrokenOnes() throws {
        // Python's json writes NaN and Infinity for non-finite floats.
        let relu = #""max_value": Infinity, "threshold": NaN, "negative_slope": -Infinity"#
        #expect(try Self.output("ReLU", relu, input: "[null, 3]")?.size == [-1, 3])
        let broken: [(String, String)] = [
            (#"{"class_name": "Functional", "config": {"name": nope}}"#, "model_config is not valid JSON: unexpected character at byte 48"),
            (#"{"class_name": "Functional""#, "model_config is not valid JSON: expected ',' or '}' at byte 27"),
            (String(repeating: "[", count: 100_000), "model_config is not valid JSON: nested more than 512 deep at byte 512"),
        ]
        for (config, message) in broken {
            let error = #expect(throws: KleverError.self) { try Self.signature(config) }
            #expect(error?.detail == message)
        }
    }

    /// Real configs (from the fixture corpus) with numbers and names swapped:
    /// dangling references, negative and huge sizes, wrong node indices. Each gives a
    /// signature or a KleverError.
    @Test(arguments: ["h5/k2-nested", "h5/k3-convnet", "h5/k3-recurrent"])
    func mutatedConfigsNeverCrash(_ fixture: String) throws {
        let model = Fixtures.root.appendingPathComponent(fixture).appendingPathComponent("model/model.h5")
        let config = try KerasH5File(model, name: fixture).config
        let tokens = try Regex(#""[^"\\]*"|-?[0-9]+(\.[0-9]+)?"#)
        let ranges = config.ranges(of: tokens)
        let replacements = ["0", "1", "-1", "2147483647", "1e300", "NaN", "null", "[]", "{}", #""x""#, #""InputLayer""#, #""Add""#]
            + ranges.prefix(200).map { String(config[$0]) }
        for round in 0..<400 {
            var mutant = config
            // Up to three tokens spread over the document by primes (deterministic, so a
            // failure replays), replaced from the back so earlier ranges stay valid.
            let picks = Set((1...3).map { (round * 7919 * $0 + $0 * 104_729) % ranges.count }).sorted(by: >)
            for (index, pick) in picks.enumerated() {
                mutant.replaceSubrange(ranges[pick], with: replacements[(round + index * 5) % replacements.count])
            }
            do {
                _ = try Self.signature(mutant)
            } catch let error as KleverError {
                #expect(error.code == .malformedModel)
            }
        }
    }

    @Test func nestingIsBounded() throws {
        var model = Self.functional([Writer.keras2.inputLayer("x", "[null, 2]")], inputs: ["x"], outputs: ["x"])
        for _ in 0..<40 {
            let layer = String(model.dropLast()) + #", "name": "m", "inbound_nodes": [[["x", 0, 0, {}]]]}"#
            model = Self.functional([Writer.keras2.inputLayer("x", "[null, 2]"), layer], inputs: ["x"], outputs: [("m", 1, 0)])
        }
        let error = #expect(throws: KleverError.self) { try Self.signature(model) }
        #expect(error?.detail == "model_config: models nest more than 32 deep")
    }

    /// A model calling twice a model that calls twice a model ... costs a few hundred
    /// bytes of config a level but doubles the evaluation at each: refused at once beyond
    /// ``KerasModel/maxRepeatedCalls`` repeated layer calls (extraction and conversion
    /// walk the same calls), while a shallower one still infers.
    @Test func exponentialNestingIsRefusedNotEvaluated() throws {
        func nested(depth: Int) -> String {
            var model = Self.functional([Writer.keras2.inputLayer("x", "[null, 2]")], inputs: ["x"], outputs: ["x"])
            for _ in 0..<depth {
                let layer = String(model.dropLast()) + #", "name": "m", "inbound_nodes": [[["x", 0, 0, {}]], [["m", 1, 0, {}]]]}"#
                model = Self.functional([Writer.keras2.inputLayer("x", "[null, 2]"), layer], inputs: ["x"], outputs: [("m", 2, 0)])
            }
            return model
        }
        #expect(try Self.signature(nested(depth: 8)).outputs == [TensorSpec(name: "m", size: [-1, 2], dType: "float32")])
        let started = ContinuousClock.now
        let error = #expect(throws: KleverError.self) { try Self.signature(nested(depth: 30)) }
        #expect(error?.detail == "model_config: nested models called again and again take 2147483646 layer calls, more than the 65596 klever evaluates for this config")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func absurdSizesGiveUnknownDimsNotOverflow() throws {
        #expect(try Self.output("Flatten", "", input: "[null, 2147483647, 2147483647, 2147483647]")?.size == [-1, -1])
        #expect(try Self.output("Conv2DTranspose", #""filters": 1, "kernel_size": 2147483647, "strides": 2147483647"#, input: "[null, 2147483647, 2147483647, 1]")?.size == [-1, -1, -1, 1])
        #expect(try Self.output("Dense", #""units": 1e300"#, input: "[null, 2]")?.size == [-1])
        #expect(try Self.output("Conv2D", #""filters": 1, "kernel_size": 0, "strides": -4"#, input: "[null, 8, 8, 1]")?.size == [-1, -1, -1, 1])
        // A scalar input where layers expect dims.
        for (className, arguments) in [("Permute", #""dims": 1"#), ("Flatten", ""), ("Dense", #""units": 2"#), ("Concatenate", #""axis": 0"#)] {
            #expect(try Self.output(className, arguments, input: "[]")?.size == [-1])
        }
    }
}

/// A log handler that keeps what it is given, to check what a run warns about.
final class LogRecorder: @unchecked Sendable {
    struct Message: Equatable {
        let level: Logger.Level
        let text: String
    }

    private let lock = NSLock()
    private var recorded: [Message] = []

    var messages: [Message] { lock.withLock { recorded } }

    var logger: Logger { Logger(label: "test") { _ in Handler(recorder: self) } }

    fileprivate func record(_ message: Message) { lock.withLock { recorded.append(message) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.record(Message(level: event.level, text: "\(event.message)"))
        }
    }
}
