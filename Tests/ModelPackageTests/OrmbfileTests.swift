import Foundation
import ModelPackage
import Testing
import TestSupport

@Suite struct OrmbfileTests {
    static let userFile = """
        author: "Ada <ada@example.com>"
        created: 2024-05-01T10:00:00Z
        description: a model
        tags: [vision, demo]
        labels:
          team: ml
        format: NetDef
        metrics:
          - name: acc
            value: 0.93
        signature:
          comment: kept
          inputs:
            - name: data
              size: [1, 3, 224, 224]
              dtype: float32
          outputs:
            - name: softmax
              size: [1, 1000]
              dtype: float32
        training:
          git:
            repository: https://example.com/repo.git
            revision: abc
        """

    @Test func readsTheUserSignatureWithTheOldDtypeSpelling() throws {
        let file = try Ormbfile(yaml: Self.userFile, file: "ormbfile.yaml")
        #expect(try file.format() == .netDef)
        #expect(file.author == "Ada <ada@example.com>")
        let signature = try #require(try file.signature())
        #expect(signature.inputs == [TensorSpec(name: "data", size: [1, 3, 224, 224], dType: "float32")])
        #expect(signature.outputs.first?.size == [1, 1000])
    }

    /// The ormbfile and `INPUTS` take any integer; what no tensor has (a dim beyond
    /// 2^53 or below -1, more than 254 dims) reads as unknown, so shape arithmetic
    /// never meets it.
    @Test func sizesBeyondAnyTensorReadAsUnknown() throws {
        let wide = "[" + Array(repeating: "1", count: TensorSpec.maxRank + 1).joined(separator: ", ") + "]"
        let file = try Ormbfile(yaml: """
            format: NetDef
            signature:
              inputs:
                - name: huge
                  size: [1, 9223372036854775807, 9007199254740992, -7]
                - name: wide
                  size: \(wide)
            """, file: "ormbfile.yaml")
        #expect(try file.signature()?.inputs.map(\.size) == [[1, -1, 9_007_199_254_740_992, -1], nil])
        let listed = try TensorSpec.list(json: #"[{"name": "huge", "size": [9223372036854775807, 2]}]"#, source: "INPUTS")
        #expect(listed.first?.size == [-1, 2])
    }

    @Test func rewritingTheSignatureKeepsEveryOtherKey() throws {
        var file = try Ormbfile(yaml: Self.userFile, file: "ormbfile.yaml")
        let extracted = Signature(
            inputs: [TensorSpec(name: "data", size: [-1, 3], dType: "float32")],
            outputs: [TensorSpec(name: "prob", size: [], dType: "float64")],
            layers: ["Conv": 2, "Relu": 3])
        file.setSignature(extracted)
        let reread = try Ormbfile(yaml: try file.yaml(), file: "ormbfile.yaml")
        #expect(try reread.signature() == extracted)
        let original = try Ormbfile(yaml: Self.userFile, file: "x").jsonObject()
        var rewritten = reread.jsonObject()
        // Only the owned keys under `signature` changed.
        let signature = try #require(rewritten.removeValue(forKey: "signature") as? [String: Any])
        #expect(signature["comment"] as? String == "kept")
        var expected = original
        expected.removeValue(forKey: "signature")
        #expect(NSDictionary(dictionary: rewritten).isEqual(to: expected))
        // The new spelling is written.
        #expect(try file.yaml().contains("dType: float32"))
        #expect(try !file.yaml().contains("dtype:"))
    }

    @Test func keepsKeyOrder() throws {
        var file = try Ormbfile(yaml: Self.userFile, file: "ormbfile.yaml")
        file.setSignature(Signature())
        let keys = try file.yaml().split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }.map { $0.split(separator: ":")[0] }
        #expect(keys == ["author", "created", "description", "tags", "labels", "format", "metrics", "signature", "training"])
    }

    @Test(arguments: [
        ("format: [ONNX", "not valid YAML"),
        ("- just\n- a list", "not a mapping"),
        ("format: ONNX\nsignature:\n  inputs: 3", "signature.inputs: not a list"),
        ("format: ONNX\nsignature:\n  inputs:\n    - size: [1]", "signature.inputs[0]: no name"),
        ("format: ONNX\nsignature:\n  inputs:\n    - name: x\n      size: [a]", "is not an integer"),
    ])
    func rejectsWhatItCannotRead(yaml: String, message: String) {
        let error = #expect(throws: KleverError.self) {
            _ = try Ormbfile(yaml: yaml, file: "pkg/ormbfile.yaml").signature()
        }
        #expect(error?.file == "pkg/ormbfile.yaml")
        #expect(error?.detail.contains(message) == true, "\(error?.detail ?? "")")
        #expect(error?.exitCode == 10003)
    }

    @Test func unknownFormatNamesTheKnownOnes() {
        let error = #expect(throws: KleverError.self) { try Ormbfile(yaml: "format: Keras2", file: "o.yaml").format() }
        #expect(error?.detail.contains("unknown format 'Keras2'") == true)
    }

    @Test func writesAtomicallyAndLeavesNoTemporaryFile() throws {
        let scratch = try TemporaryDirectory()
        let url = scratch.url.appendingPathComponent("ormbfile.yaml")
        var file = try Ormbfile(yaml: Self.userFile, file: url.path)
        file.setSignature(Signature(layers: ["Add": 1]))
        try file.write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["ormbfile.yaml"])
        #expect(try Ormbfile(contentsOf: url).signature()?.layers == ["Add": 1])
    }

    @Test func aFailedWriteKeepsTheOldFile() throws {
        let scratch = try TemporaryDirectory()
        let url = try scratch.write("ormbfile.yaml", "format: ONNX\n")
        let missingFolder = scratch.url.appendingPathComponent("gone/ormbfile.yaml")
        #expect(throws: KleverError.self) { try Ormbfile(yaml: "format: ONNX", file: "x").write(to: missingFolder) }
        #expect(try String(contentsOf: url, encoding: .utf8) == "format: ONNX\n")
    }
}
