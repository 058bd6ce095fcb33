import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// Whole TorchScript packages: archives made here (for what torch would not write)
/// and the fixtures torch wrote.
@Suite struct TorchScriptReaderTests {
    private static let netCode = """
        class Net(Module):
          __parameters__ = []
          training : bool
          fc : __torch__.torch.nn.modules.linear.Linear
          def forward(self: __torch__.Net,
            x: Tensor,
            n: int=2) -> Tuple[Tensor, int]:
            return (x, n)

        """
    private static let linearCode = """
        class Linear(Module):
          def forward(self: __torch__.torch.nn.modules.linear.Linear,
            input: Tensor) -> Tensor:
            return input

        """
    private static let netPickle = PickleBuilder().module("__torch__", "Net") {
        $0.string("training").op(.newtrue).string("fc").module("__torch__.torch.nn.modules.linear", "Linear")
    }.stopped

    /// A package holding `model/model.pt` made of these records (paths under the top folder).
    private func package(
        _ records: [String: [UInt8]], folder: String = "model", signature: String = ""
    ) throws -> (TemporaryDirectory, ModelPackageFolder) {
        var zip = TestZip()
        for path in records.keys.sorted() { zip.add(folder + "/" + path, records[path]!) }
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: TorchScript\n" + signature)
        try scratch.write("package/model/model.pt", Data(zip.bytes))
        return (scratch, ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path))
    }

    private func signature(_ records: [String: [UInt8]], folder: String = "model", signature user: String = "") throws -> Signature {
        let (scratch, folder) = try package(records, folder: folder, signature: user)
        return try withExtendedLifetime(scratch) { try Extraction.signature(of: folder).1 }
    }

    private func error(_ records: [String: [UInt8]]) throws -> KleverError? {
        let (scratch, folder) = try package(records)
        return withExtendedLifetime(scratch) {
            #expect(throws: KleverError.self) { try Extraction.signature(of: folder) }
        }
    }

    private static func code(_ sources: [String: String]) -> [String: [UInt8]] {
        sources.reduce(into: [:]) { $0["code/" + $1.key] = Array($1.value.utf8) }
    }

    private static let net = code(["__torch__.py": netCode, "__torch__/torch/nn/modules/linear.py": linearCode])
        .merging(["data.pkl": netPickle]) { $1 }

    /// The top folder is whatever the first record's is; payloads under data/ are not
    /// read (this one's CRC is wrong).
    @Test func readsAnArchiveInAnyTopFolderWithoutItsPayloads() throws {
        var zip = TestZip()
        zip.add("my model (v2)/data/0", [UInt8](repeating: 1, count: 256), declaredCRC: 0)
        for (path, bytes) in Self.net.sorted(by: { $0.key < $1.key }) { zip.add("my model (v2)/" + path, bytes) }
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: TorchScript\n")
        try scratch.write("package/model/net.pt", Data(zip.bytes))
        let signature = try Extraction.signature(of: ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)).1
        #expect(signature == Signature(
            inputs: [TensorSpec(name: "x", size: [], dType: "Tensor"), TensorSpec(name: "n", size: [], dType: "int")],
            outputs: [TensorSpec(name: "output_0", size: [], dType: "Tensor"), TensorSpec(name: "output_1", size: [], dType: "int")],
            layers: ["Linear": 1]))
    }

    /// Each side the user lists is kept as written; the other comes from the model.
    @Test func keepsTheSidesOfTheUserSignature() throws {
        let outputsOnly = try signature(Self.net, signature: """
            signature:
              outputs:
              - name: output__0
                size: [-1, 10]
                dtype: float32

            """)
        #expect(outputsOnly.inputs.map(\.name) == ["x", "n"])
        #expect(outputsOnly.outputs == [TensorSpec(name: "output__0", size: [-1, 10], dType: "float32")])
        #expect(outputsOnly.layers == ["Linear": 1])
    }

    /// With both sides given, forward is not needed: a root without one still gets layers.
    @Test func aFullUserSignatureNeedsNoForward() throws {
        let user = """
            signature:
              inputs: [{name: input__0, size: [1, 3], dType: float32}]
              outputs: [{name: output__0, size: [1, 2], dType: float32}]

            """
        var records = Self.net
        records["code/__torch__.py"] = Array(Self.netCode.replacingOccurrences(of: "def forward", with: "def run").utf8)
        let result = try signature(records, signature: user)
        #expect(result.inputs == [TensorSpec(name: "input__0", size: [1, 3], dType: "float32")])
        #expect(result.layers == ["Linear": 1])
        // Without a user signature the missing forward is an error.
        let missing = try error(records)
        #expect(missing?.detail == "code/__torch__.py: __torch__.Net, the root module's class, has no forward method")
    }

    @Test func namesWhatIsWrongWithTheArchive() throws {
        var cases: [(records: [String: [UInt8]], detail: String)] = []
        cases.append((Self.net.merging(["data.pkl": [0x80, 2, 0x8b, 0, 0, 0, 0, 0x2e]]) { $1 },
                      "data.pkl: unsupported pickle opcode LONG4 (0x8b) (byte 2)"))
        cases.append((Self.net.merging(["data.pkl": PickleBuilder().global("collections", "OrderedDict").op(.emptyTuple).op(.reduce).stopped]) { $1 },
                      "data.pkl holds a collections.OrderedDict object, not a TorchScript module (a torch.save checkpoint? save the model with torch.jit.save)"))
        cases.append((Self.code(["__torch__/other.py": Self.linearCode]).merging(["data.pkl": Self.netPickle]) { $1 },
                      "code/__torch__.py does not define __torch__.Net, the root module's class"))
        cases.append((Self.net.merging(["code/__torch__.py": Array(Self.netCode.replacingOccurrences(of: "x: Tensor,", with: "x: Tensor],").utf8)]) { $1 },
                      "code/__torch__.py: cannot read the header of __torch__.Net.forward: unbalanced ']'"))
        cases.append((["data.pkl": Self.netPickle],
                      "model/data.pkl but no code/: a torch.save checkpoint, not a TorchScript module (save the model with torch.jit.save)"))
        cases.append((Self.code(["__torch__.py": Self.netCode]),
                      "no data.pkl in the zip's top folder (a TorchScript archive holds <folder>/data.pkl and <folder>/code/; this one holds model/code/__torch__.py)"))
        cases.append((["model.json": Array("{}".utf8)],
                      "no data.pkl: a TorchScript archive from PyTorch before 1.4 (model.json), which klever does not read"))
        for (records, detail) in cases {
            let error = try error(records)
            #expect(error?.detail == detail)
            #expect(error?.code == .malformedModel)
            #expect(error?.file.hasSuffix("/package/model/model.pt") == true)
        }
    }

    /// A bare pickle, as the legacy torch.save writes, is named as such.
    @Test func saysWhatAFileIsWhenItIsNotAnArchive() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: TorchScript\n")
        try scratch.write("package/model/model.pt", Data(PickleBuilder().op(.none).stopped))
        let folder = ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)
        let error = #expect(throws: KleverError.self) { try Extraction.signature(of: folder) }
        #expect(error?.detail == "not a valid TorchScript archive: not a zip archive; the content looks like a Python pickle")
    }
}
