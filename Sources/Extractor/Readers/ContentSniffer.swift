import ModelPackage

/// Guesses a model file's format from its content, to say what a mismatched file
/// really is ("the content looks like a TensorFlow GraphDef").
enum ContentSniffer {
    struct Guess: Equatable {
        let format: Format
        /// What the file looks like, with its article ("an ONNX model").
        let file: String
    }

    static func guess(_ bytes: UnsafeRawBufferPointer) -> Guess? {
        guard bytes.count >= 4 else { return nil }
        if starts(bytes, with: [0x50, 0x4b, 0x03, 0x04]) { return Guess(format: .torchScript, file: "a zip archive (TorchScript)") }
        if starts(bytes, with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) { return Guess(format: .h5, file: "an HDF5 file (Keras H5)") }
        if bytes.count >= 8, bytes.loadUnaligned(as: UInt64.self).littleEndian == 0x112 {
            return Guess(format: .mxnetParams, file: "an MXNet params file")
        }
        // A pickle of protocol 2 or later opens with PROTO (0x80) and its version.
        if bytes[0] == 0x80, (2...5).contains(bytes[1]) {
            return Guess(format: .pickle, file: "a Python pickle")
        }
        if let text = textGuess(bytes) { return text }
        return protobufGuess(bytes)
    }

    private static func starts(_ bytes: UnsafeRawBufferPointer, with prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0 == $1 }
    }

    private static func textGuess(_ bytes: UnsafeRawBufferPointer) -> Guess? {
        let head = String(decoding: bytes.prefix(512), as: UTF8.self)
        let trimmed = head.drop(while: { $0.isWhitespace })
        if trimmed.hasPrefix("<?xml") || trimmed.hasPrefix("<PMML") {
            return head.contains("PMML") ? Guess(format: .pmml, file: "a PMML document") : nil
        }
        if trimmed.hasPrefix("{"), head.contains("\"nodes\"") { return Guess(format: .mxnetParams, file: "an MXNet symbol JSON") }
        if trimmed.hasPrefix("name:") || trimmed.hasPrefix("layer {") || trimmed.hasPrefix("input:") {
            return Guess(format: .caffeModel, file: "a Caffe prototxt")
        }
        return nil
    }

    /// Matches the top-level field numbers of a message against the shapes of the
    /// formats' root messages. The whole input must scan as protobuf.
    private static func protobufGuess(_ bytes: UnsafeRawBufferPointer) -> Guess? {
        var scanner = WireScanner(bytes)
        var fields: [Int: WireField.WireType] = [:]
        do {
            while let field = try scanner.next() { fields[field.number] = field.type }
        } catch {
            return nil
        }
        let numbers = Set(fields.keys)
        if fields[7] == .lengthDelimited, fields[1] == .varint || fields[8] == .lengthDelimited {
            return Guess(format: .onnx, file: "an ONNX model")
        }
        if numbers.contains(100) || (fields[2] == .lengthDelimited && numbers.isSubset(of: [1, 2, 3, 4, 5, 6, 7, 8]) && fields[4] == .varint) {
            return Guess(format: .caffeModel, file: "a Caffe binary model")
        }
        if fields[2] == .lengthDelimited, numbers.isSubset(of: [1, 2]), fields[1] != .lengthDelimited {
            return Guess(format: .savedModel, file: "a TensorFlow SavedModel")
        }
        if fields[7] == .lengthDelimited || fields[8] == .lengthDelimited, numbers.isSubset(of: [1, 2, 3, 4, 5, 6, 7, 8]) {
            return Guess(format: .netDef, file: "a Caffe2 NetDef")
        }
        if fields[1] == .lengthDelimited, numbers.isSubset(of: [1, 2, 3, 4]) {
            return Guess(format: .graphDef, file: "a TensorFlow GraphDef")
        }
        return nil
    }
}

extension Format {
    /// What a model file of this format is, for messages ("not a valid ONNX model").
    var fileDescription: String {
        switch self {
        case .onnx: "ONNX model"
        case .savedModel: "TensorFlow SavedModel"
        case .graphDef: "TensorFlow GraphDef"
        case .netDef: "Caffe2 NetDef"
        case .caffeModel: "Caffe model"
        case .h5: "Keras H5 model"
        case .torchScript: "TorchScript archive"
        case .mxnetParams: "MXNet model"
        case .pmml: "PMML document"
        default: "\(rawValue) model"
        }
    }
}
