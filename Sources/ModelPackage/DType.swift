/// An element type, named as numpy names it (the ormbfile's `dType` vocabulary).
///
/// Strings are `object`, as numpy holds them. The tables in `DType+Codes.swift` map
/// each type to the codes of ONNX, TensorFlow, Caffe2 and Triton.
public enum DType: String, CaseIterable, Codable, Sendable {
    case bool
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float16, bfloat16, float32, float64
    case complex64, complex128
    case object
    // Low-precision types, named as ml_dtypes (numpy's extension) names them.
    case float8E4M3FN = "float8_e4m3fn", float8E4M3FNUZ = "float8_e4m3fnuz"
    case float8E5M2 = "float8_e5m2", float8E5M2FNUZ = "float8_e5m2fnuz"
    case float4E2M1FN = "float4_e2m1fn", int4, uint4

    /// Bytes per element; nil for strings.
    public var byteWidth: Int? {
        switch self {
        case .bool, .int8, .uint8, .float8E4M3FN, .float8E4M3FNUZ, .float8E5M2, .float8E5M2FNUZ: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64: 8
        case .complex128: 16
        case .object, .float4E2M1FN, .int4, .uint4: nil  // strings; packed half-bytes
        }
    }
}
