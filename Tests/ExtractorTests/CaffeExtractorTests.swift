import Foundation
import ModelPackage
import Schemas
import Testing
@testable import Extractor

/// Caffe's net-building rules on small prototxts; the fixture corpus checks real
/// nets against PyTorch-computed shapes.
@Suite struct CaffeExtractorTests {
    private func signature(_ prototxt: String) throws -> Signature {
        let net = try CaffeNet(try Caffe_NetParameter(textFormatString: prototxt), file: "net.prototxt")
        return CaffeReader.signature(of: net)
    }

    @Test func oldStyleInputsPoolingRoundsUpAndTrainLayersDoNotCount() throws {
        let signature = try signature("""
            input: "data"
            input_dim: 1 input_dim: 3 input_dim: 13 input_dim: 13
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 10 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" include { phase: TRAIN } }
            """)
        #expect(signature.inputs == [TensorSpec(name: "data", size: [1, 3, 13, 13], dType: "float32")])
        #expect(signature.outputs == [TensorSpec(name: "prob", size: [1, 10], dType: "float32")])
        #expect(signature.layers == ["Input": 1, "Convolution": 1, "ReLU": 1, "Pooling": 1, "InnerProduct": 1, "Softmax": 1])
        let pooled = CaffeShapeInference.run(try CaffeNet(try Caffe_NetParameter(textFormatString: """
            input: "x" input_shape { dim: 1 dim: 8 dim: 13 dim: 13 }
            layer { name: "p" type: "Pooling" bottom: "x" top: "p" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "f" type: "Pooling" bottom: "x" top: "f" pooling_param { pool: MAX kernel_size: 2 stride: 2 round_mode: FLOOR } }
            """), file: "p"))
        #expect(pooled["p"] == [1, 8, 7, 7], "13 pooled by 2/2 rounds up to 7")
        #expect(pooled["f"] == [1, 8, 6, 6])
    }

    @Test func legacyV1LayersAreUpgraded() throws {
        let signature = try signature("""
            input: "data" input_shape { dim: 2 dim: 4 }
            layers { name: "ip" type: INNER_PRODUCT bottom: "data" top: "ip" inner_product_param { num_output: 3 } }
            layers { name: "prob" type: SOFTMAX bottom: "ip" top: "prob" }
            """)
        #expect(signature.outputs.first?.size == [2, 3])
        #expect(signature.layers == ["Input": 1, "InnerProduct": 1, "Softmax": 1])
    }

    @Test func splitSliceConcatAndUnconsumedTops() throws {
        let signature = try signature("""
            layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 6 dim: 4 dim: 4 } } }
            layer { name: "s" type: "Slice" bottom: "x" top: "a" top: "b" slice_param { axis: 1 slice_point: 2 } }
            layer { name: "c" type: "Concat" bottom: "b" bottom: "a" top: "c" }
            layer { name: "e" type: "Eltwise" bottom: "c" bottom: "x" top: "e" }
            layer { name: "fl" type: "Flatten" bottom: "e" top: "flat" }
            layer { name: "r" type: "Reshape" bottom: "flat" top: "r" reshape_param { shape { dim: 0 dim: -1 dim: 8 } } }
            """)
        #expect(signature.outputs.map(\.name) == ["r"])
        #expect(signature.outputs.first?.size == [1, 12, 8])
    }

    @Test func hostileParametersStayUnknownInsteadOfTrapping() throws {
        let signature = try signature("""
            input: "x" input_shape { dim: 1 dim: 1 dim: 2147483647 dim: 4 }
            layer { name: "d" type: "Deconvolution" bottom: "x" top: "d"
                    convolution_param { num_output: 4294967295 kernel_size: 4294967295 stride: 4294967295 dilation: 4294967295 } }
            layer { name: "p" type: "Pooling" bottom: "d" top: "p" pooling_param { kernel_size: 4294967295 stride: 4294967295 pad: 4294967295 } }
            """)
        #expect(signature.outputs.first?.size == [1, -1, -1, -1])
    }

    /// Two deconvolutions by stride 2^31 - 1 and three Tiles by 2^31 - 1 grow dims
    /// past any tensor: unknown (-1), not an overflow trap.
    @Test func chainedGrowthGivesUnknownDimsNotOverflow() throws {
        let signature = try signature("""
            input: "x" input_shape { dim: 1 dim: 1 dim: 2147483647 dim: 3 }
            layer { name: "d1" type: "Deconvolution" bottom: "x" top: "d1"
                    convolution_param { num_output: 1 kernel_size: 2 stride: 2147483647 } }
            layer { name: "d2" type: "Deconvolution" bottom: "d1" top: "d2"
                    convolution_param { num_output: 1 kernel_size: 2 stride: 2147483647 } }
            layer { name: "t1" type: "Tile" bottom: "x" top: "t1" tile_param { axis: 2 tiles: 2147483647 } }
            layer { name: "t2" type: "Tile" bottom: "t1" top: "t2" tile_param { axis: 2 tiles: 2147483647 } }
            layer { name: "t3" type: "Tile" bottom: "t2" top: "t3" tile_param { axis: 2 tiles: 2147483647 } }
            layer { name: "c" type: "Concat" bottom: "d2" bottom: "d2" top: "c" concat_param { axis: 3 } }
            """)
        let outputs = Dictionary(uniqueKeysWithValues: signature.outputs.map { ($0.name, $0.size) })
        #expect(outputs["c"] == [1, 1, -1, -1])
        #expect(outputs["t3"] == [1, 1, -1, 3])
    }

    /// Input dims of more axes than a blob has are an unknown rank; a Slice into more
    /// tops than ``OutputBudget`` holds shapes for gives the later tops unknown shapes.
    @Test func hugeRanksAndTopCountsStayBounded() throws {
        let wide = String(repeating: "dim: 1 ", count: 300)
        #expect(try signature("input: \"x\" input_shape { \(wide)}").inputs.first?.size == TensorSpec.unknownRank)

        let deep = "dim: 5000 " + String(repeating: "dim: 1 ", count: Shapes.maxRank - 1)
        let tops = (0..<5000).map { "top: \"t\($0)\"" }.joined(separator: " ")
        let sliced = try signature("""
            input: "x" input_shape { \(deep)}
            layer { name: "s" type: "Slice" bottom: "x" \(tops) slice_param { axis: 0 } }
            """)
        let outputs = Dictionary(uniqueKeysWithValues: sliced.outputs.map { ($0.name, $0.size) })
        #expect(outputs.count == 5000)
        #expect(outputs["t0"] == Array(repeating: 1, count: Shapes.maxRank))
        #expect(outputs["t4999"] == TensorSpec.unknownRank)
    }
}
