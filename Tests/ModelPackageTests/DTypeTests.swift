import ModelPackage
import Testing

@Suite struct DTypeTests {
    @Test(arguments: DType.allCases)
    func everyCodeMapsBackToItsType(_ type: DType) {
        if let code = type.onnxCode { #expect(DType(onnx: code) == type) }
        if let code = type.tensorFlowCode {
            #expect(DType(tensorFlow: code) == type)
            #expect(DType(tensorFlow: code + 100) == type, "reference types count as their base")
        }
        if let code = type.caffe2Code { #expect(DType(caffe2: code) == type) }
        if let name = type.tritonName { #expect(DType(triton: name) == type) }
    }

    @Test func publishedCodes() {
        // Spot checks against the frameworks' enums.
        #expect(DType.float32.onnxCode == 1 && DType.int64.onnxCode == 7 && DType.object.onnxCode == 8 && DType.bfloat16.onnxCode == 16)
        #expect(DType.float32.tensorFlowCode == 1 && DType.int64.tensorFlowCode == 9 && DType.object.tensorFlowCode == 7 && DType.float16.tensorFlowCode == 19)
        #expect(DType.float32.caffe2Code == 1 && DType.int64.caffe2Code == 10 && DType(caffe2: 3) == .uint8)
        #expect(DType.float32.tritonName == "TYPE_FP32" && DType.object.tritonName == "TYPE_STRING" && DType.bool.tritonName == "TYPE_BOOL")
        #expect(DType(onnx: 99) == nil)
    }
}

@Suite struct FormatTests {
    @Test(arguments: ["onnx", "caffemodel", "netdef", "graphdef", "h5", "mxnetparams", "savedmodel", "torchscript", "pmml"])
    func parsesTheUpstreamExtractorNames(_ name: String) throws {
        let format = try #require(Format(name: name))
        #expect(format.rawValue.lowercased() == name)
        #expect(format.framework != nil)
    }
}
