/// The dtype table: one row per type, one column per framework's enum code.
/// A nil entry means the framework has no such type.
extension DType {
    private struct Codes {
        let dType: DType
        let onnx: Int?  // onnx.TensorProto.DataType
        let tensorFlow: Int?  // tensorflow.DataType
        let caffe2: Int?  // caffe2.TensorProto.DataType
        let triton: String?  // inference.DataType
    }

    private static let table: [Codes] = [
        Codes(dType: .float32, onnx: 1, tensorFlow: 1, caffe2: 1, triton: "TYPE_FP32"),
        Codes(dType: .uint8, onnx: 2, tensorFlow: 4, caffe2: 6, triton: "TYPE_UINT8"),
        Codes(dType: .int8, onnx: 3, tensorFlow: 6, caffe2: 7, triton: "TYPE_INT8"),
        Codes(dType: .uint16, onnx: 4, tensorFlow: 17, caffe2: 8, triton: "TYPE_UINT16"),
        Codes(dType: .int16, onnx: 5, tensorFlow: 5, caffe2: 9, triton: "TYPE_INT16"),
        Codes(dType: .int32, onnx: 6, tensorFlow: 3, caffe2: 2, triton: "TYPE_INT32"),
        Codes(dType: .int64, onnx: 7, tensorFlow: 9, caffe2: 10, triton: "TYPE_INT64"),
        Codes(dType: .object, onnx: 8, tensorFlow: 7, caffe2: 4, triton: "TYPE_STRING"),
        Codes(dType: .bool, onnx: 9, tensorFlow: 10, caffe2: 5, triton: "TYPE_BOOL"),
        Codes(dType: .float16, onnx: 10, tensorFlow: 19, caffe2: 12, triton: "TYPE_FP16"),
        Codes(dType: .float64, onnx: 11, tensorFlow: 2, caffe2: 13, triton: "TYPE_FP64"),
        Codes(dType: .uint32, onnx: 12, tensorFlow: 22, caffe2: nil, triton: "TYPE_UINT32"),
        Codes(dType: .uint64, onnx: 13, tensorFlow: 23, caffe2: nil, triton: "TYPE_UINT64"),
        Codes(dType: .complex64, onnx: 14, tensorFlow: 8, caffe2: nil, triton: nil),
        Codes(dType: .complex128, onnx: 15, tensorFlow: 18, caffe2: nil, triton: nil),
        Codes(dType: .bfloat16, onnx: 16, tensorFlow: 14, caffe2: nil, triton: "TYPE_BF16"),
        Codes(dType: .float8E4M3FN, onnx: 17, tensorFlow: 25, caffe2: nil, triton: nil),
        Codes(dType: .float8E4M3FNUZ, onnx: 18, tensorFlow: nil, caffe2: nil, triton: nil),
        Codes(dType: .float8E5M2, onnx: 19, tensorFlow: 24, caffe2: nil, triton: nil),
        Codes(dType: .float8E5M2FNUZ, onnx: 20, tensorFlow: nil, caffe2: nil, triton: nil),
        Codes(dType: .uint4, onnx: 21, tensorFlow: 30, caffe2: nil, triton: nil),
        Codes(dType: .int4, onnx: 22, tensorFlow: 29, caffe2: nil, triton: nil),
        Codes(dType: .float4E2M1FN, onnx: 23, tensorFlow: nil, caffe2: nil, triton: nil),
    ]

    private static func row(_ matches: (Codes) -> Bool) -> Codes? { table.first(where: matches) }
    private var codes: Codes { Self.row { $0.dType == self }! }

    /// The type of an ONNX `TensorProto.DataType` code.
    public init?(onnx code: Int) {
        guard let row = Self.row({ $0.onnx == code }) else { return nil }
        self = row.dType
    }

    /// The type of a TensorFlow `DataType` code; reference types (code + 100) count as their base.
    public init?(tensorFlow code: Int) {
        let base = code > 100 ? code - 100 : code
        guard let row = Self.row({ $0.tensorFlow == base }) else { return nil }
        self = row.dType
    }

    /// The type of a Caffe2 `TensorProto.DataType` code (BYTE, 3, is read as uint8).
    public init?(caffe2 code: Int) {
        if code == 3 { self = .uint8; return }
        guard let row = Self.row({ $0.caffe2 == code }) else { return nil }
        self = row.dType
    }

    /// The type of a Triton `TYPE_*` name.
    public init?(triton name: String) {
        guard let row = Self.row({ $0.triton == name }) else { return nil }
        self = row.dType
    }

    public var onnxCode: Int? { codes.onnx }
    public var tensorFlowCode: Int? { codes.tensorFlow }
    public var caffe2Code: Int? { codes.caffe2 }
    public var tritonName: String? { codes.triton }
}
