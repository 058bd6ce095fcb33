import Foundation
import Schemas
import SwiftProtobuf
import Testing

/// The hand-written .proto files keep the frameworks' field numbers: a message
/// encodes to the bytes the published schema gives.
@Suite struct SchemaRoundTripTests {
    @Test func onnxFieldNumbers() throws {
        var model = Onnx_ModelProto()
        model.irVersion = 8  // field 1, varint
        model.graph.name = "g"  // field 7 -> GraphProto.name field 2
        let bytes: [UInt8] = try model.serializedBytes()
        #expect(bytes == [0x08, 0x08, 0x3a, 0x03, 0x12, 0x01, 0x67])
    }

    @Test func tensorFlowFieldNumbers() throws {
        var info = Tensorflow_TensorInfo()
        info.name = "x:0"  // field 1
        info.dtype = .dtInt64  // field 2 = 9
        let bytes: [UInt8] = try info.serializedBytes()
        #expect(bytes == [0x0a, 0x03, 0x78, 0x3a, 0x30, 0x10, 0x09])
    }

    @Test func caffe2FieldNumbers() throws {
        var net = Caffe2_NetDef()
        net.externalInput = ["d"]  // field 7
        net.externalOutput = ["p"]  // field 8
        let bytes: [UInt8] = try net.serializedBytes()
        #expect(bytes == [0x3a, 0x01, 0x64, 0x42, 0x01, 0x70])
    }

    @Test func caffePrototxtParsesAsTextFormat() throws {
        let text = """
            name: "tiny"
            input: "data"
            input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            """
        let net = try Caffe_NetParameter(textFormatString: text)
        #expect(net.inputDim == [1, 3, 8, 8])
        #expect(net.layer[0].convolutionParam.numOutput == 4)
        #expect(net.layer[1].poolingParam.pool == .max)
        #expect(net.layer[1].poolingParam.roundMode == .ceil, "Caffe's default rounding")
    }

    @Test func tritonConfigTextFormat() throws {
        var config = Inference_ModelConfig()
        config.name = "m"
        config.platform = "onnxruntime_onnx"
        config.maxBatchSize = 4
        config.input = [.with { $0.name = "x"; $0.dataType = .typeFp32; $0.dims = [3, 224, 224] }]
        let text = config.textFormatString()
        #expect(text.contains("platform: \"onnxruntime_onnx\""))
        #expect(text.contains("data_type: TYPE_FP32"))
        #expect(try Inference_ModelConfig(textFormatString: text) == config)
    }
}
