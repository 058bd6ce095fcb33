import Foundation
import Schemas

/// Builds a Caffe2 model: predict_net op by op, init_net's fills with their values
/// streamed to the file (written packed, which protobuf readers accept for any
/// repeated number).
struct NetDefWriter {
    private struct Fill {
        let output: String
        let shape: [Int]
        /// How many float32 values `write` writes.
        let count: Int
        let write: (BufferedFileWriter) throws -> Void
    }

    private(set) var predict = Caffe2_NetDef()
    private var initialization = Caffe2_NetDef()
    private var fills: [Fill] = []

    init(name: String) {
        predict.name = name
        initialization.name = name + "_init"
    }

    mutating func op(_ type: String, _ inputs: [String], _ outputs: [String], name: String = "", _ arguments: [Caffe2_Argument] = []) {
        predict.op.append(.with {
            $0.type = type
            $0.input = inputs
            $0.output = outputs
            $0.name = name
            $0.arg = arguments
        })
    }

    /// A weight: a GivenTensorFill in init_net, listed as predict_net's external input.
    mutating func weight(_ name: String, shape: [Int], values: [Float]) {
        weight(name, shape: shape, count: values.count) { writer in try values.withUnsafeBytes { try writer.write($0) } }
    }

    /// A weight whose `count` float32 values `write` streams into init_net when written.
    mutating func weight(_ name: String, shape: [Int], count: Int, write: @escaping (BufferedFileWriter) throws -> Void) {
        fills.append(Fill(output: name, shape: shape, count: count, write: write))
        predict.externalInput.append(name)
    }

    /// A model input: a ConstantFill of its shape in init_net (as Caffe's translator
    /// wrote, so the net runs as is), listed as an external input.
    mutating func input(_ name: String, shape: [Int]) {
        initialization.op.append(.with {
            $0.type = "ConstantFill"
            $0.output = [name]
            $0.arg = [Caffe2Argument.ints("shape", shape), Caffe2Argument.float("value", 0)]
        })
        predict.externalInput.insert(name, at: 0)
    }

    mutating func output(_ name: String) { predict.externalOutput.append(name) }

    /// Writes `init_net.pb` and `predict_net.pb` into `folder`.
    func write(to folder: URL) throws {
        var initFile = try StreamedMessage(initialization)
        for fill in fills {
            var values = try StreamedMessage(Caffe2_Argument.with { $0.name = "values" })
            values.appendBytesField(5, count: fill.count * 4, write: fill.write)
            var op = try StreamedMessage(Caffe2_OperatorDef.with {
                $0.type = "GivenTensorFill"
                $0.output = [fill.output]
                $0.arg = [Caffe2Argument.ints("shape", fill.shape)]
            })
            op.appendMessageField(5, values)
            initFile.appendMessageField(2, op)
        }
        let initWriter = try BufferedFileWriter(folder.appendingPathComponent("init_net.pb"), name: "model/init_net.pb")
        try initFile.write(to: initWriter)
        try initWriter.close()
        let predictWriter = try BufferedFileWriter(folder.appendingPathComponent("predict_net.pb"), name: "model/predict_net.pb")
        try predictWriter.write(try predict.serializedBytes() as [UInt8])
        try predictWriter.close()
    }
}

/// Caffe2 operator arguments.
enum Caffe2Argument {
    static func int(_ name: String, _ value: Int) -> Caffe2_Argument { .with { $0.name = name; $0.i = Int64(value) } }
    static func ints(_ name: String, _ values: [Int]) -> Caffe2_Argument { .with { $0.name = name; $0.ints = values.map(Int64.init) } }
    static func float(_ name: String, _ value: Float) -> Caffe2_Argument { .with { $0.name = name; $0.f = value } }
    static func string(_ name: String, _ value: String) -> Caffe2_Argument { .with { $0.name = name; $0.s = Data(value.utf8) } }
}
