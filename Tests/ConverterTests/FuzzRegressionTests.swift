import Extractor
import ModelPackage
import Schemas
import Testing
@testable import Converter

/// Inputs of the fuzz harnesses (build/fuzz, docs/fuzzing.md) that made the
/// converters' readers exhaust memory: they must now end in a KleverError.
@Suite struct FuzzRegressionTests {
    private func constantFill(_ output: String, shape: [Int64], dtype: Int64?) -> Caffe2_OperatorDef {
        var op = Caffe2_OperatorDef()
        op.type = "ConstantFill"
        op.output = [output]
        op.arg = [.with { $0.name = "shape"; $0.ints = shape }]
        if let dtype { op.arg.append(.with { $0.name = "dtype"; $0.i = dtype }) }
        return op
    }

    private func constants(_ initNet: Caffe2_NetDef, fillLimit: Int = Caffe2Constant.maxFillBytes) throws -> [String: Caffe2Constant] {
        let file = MappedFile(bytes: try initNet.serializedBytes() as [UInt8], name: "init_net.pb")
        return try Caffe2Constant.constants(of: NetDefReader.readInitNet(file), in: file, fillLimit: fillLimit)
    }

    /// A ConstantFill of 16384 x 16384 int64 (caffe2 dtype 10): 90 bytes of init_net
    /// asked for 2 GiB of values (the netdef target).
    @Test func constantFillLargerThanTheLimitIsRefused() {
        var initNet = Caffe2_NetDef()
        initNet.op = [constantFill("x", shape: [16384, 16384], dtype: 10)]
        let error = #expect(throws: KleverError.self) { try constants(initNet) }
        #expect(error?.description.contains("is not a real tensor") == true)
    }

    /// The limit holds for the fills together, not for each.
    @Test func constantFillsAreLimitedTogether() throws {
        var initNet = Caffe2_NetDef()
        initNet.op = [constantFill("a", shape: [4, 4], dtype: nil)]
        #expect(try constants(initNet, fillLimit: 100).count == 1)
        initNet.op.append(constantFill("b", shape: [4, 4], dtype: nil))
        #expect(throws: KleverError.self) { try constants(initNet, fillLimit: 100) }
    }
}
