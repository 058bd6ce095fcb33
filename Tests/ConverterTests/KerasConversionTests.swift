import Converter
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Keras H5 models converted to SavedModel load in TensorFlow (tf.saved_model.load and
/// the TF1 session loader), keep the Keras layer names as signature keys, and compute
/// what Keras computed at fixture time (max abs error <= 1e-4).
@Suite struct KerasConversionTests {
    static let tolerance = 1e-4

    /// Every good H5 fixture without a Lambda or custom layer, Keras 2 and Keras 3.
    static let convertible = [
        "k2-sequential", "k3-sequential", "k2-functional-multi-io", "k3-functional-multi-io", "k2-nested", "k3-nested",
        "k2-convnet", "k3-convnet", "k2-merge", "k3-merge", "k2-reshape-activations", "k3-reshape-activations",
        "k2-recurrent", "k3-recurrent", "k2-optimizer-state", "k3-no-weights", "k3-dilated-dynamic",
    ]

    /// The tensors of a fixture's golden signature.
    private struct Golden: Decodable {
        let inputs: [TensorSpec]
        let outputs: [TensorSpec]
    }

    @Test(arguments: convertible)
    func computesWhatKerasComputed(_ fixture: String) throws {
        let scratch = try TemporaryDirectory()
        let source = Fixtures.root.appendingPathComponent("h5/\(fixture)")
        let output = scratch.url.appendingPathComponent("converted")
        let result = try Conversion.run(from: .h5, to: .savedModel, source: ModelPackageFolder(path: source.path), output: output.path)
        #expect(result.format == Format.savedModel.rawValue)

        // The signature reads as the H5 one: the same names, shapes and dtypes.
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: source.appendingPathComponent("expected.json")))
        func tensors(_ specs: [TensorSpec]) -> [String: TensorSpec] {
            Dictionary(uniqueKeysWithValues: specs.map { ($0.name, TensorSpec(name: $0.name, size: $0.size, dType: $0.dType)) })
        }
        #expect(tensors(result.inputs) == tensors(golden.inputs))
        #expect(tensors(result.outputs) == tensors(golden.outputs))

        let report = try Interop.check(.tensorFlow, model: output.appendingPathComponent("model"), reference: source.appendingPathComponent("reference.npz"))
        #expect(report.maxAbsError <= Self.tolerance, "\(report.outputs)")
        #expect(Set(report.outputs.keys) == Set(golden.outputs.map(\.name)))
    }

    /// The user's known dims (the `INPUTS` override, or the ormbfile's signature) fill
    /// the unknown dims of the model's inputs.
    @Test func givenInputDimsFillTheUnknownOnes() throws {
        let scratch = try TemporaryDirectory()
        let source = Fixtures.root.appendingPathComponent("h5/k3-recurrent")
        let output = scratch.url.appendingPathComponent("converted")
        let result = try Conversion.run(
            from: .h5, to: .savedModel, source: ModelPackageFolder(path: source.path), output: output.path,
            inputs: [TensorSpec(name: "tokens", size: [-1, 2], dType: "int32")])
        #expect(result.inputs.first { $0.name == "tokens" }?.size == [-1, 2])
        #expect(result.inputs.first { $0.name == "fixed" }?.size == [-1, 7, 3])
        let report = try Interop.check(.tensorFlow, model: output.appendingPathComponent("model"), reference: source.appendingPathComponent("reference.npz"))
        #expect(report.maxAbsError <= Self.tolerance, "\(report.outputs)")
    }

    /// A fixture with layers klever cannot convert, and the layers one error must name.
    struct Unsupported: Sendable, CustomTestStringConvertible {
        let fixture: String
        let layers: [String]
        var testDescription: String { fixture }
    }

    @Test(arguments: [
        Unsupported(fixture: "k2-unknown-layers", layers: ["'double' (Lambda", "'scale_shift' (ScaleShift"]),
        Unsupported(fixture: "k3-unknown-layers", layers: ["'double' (Lambda", "'scale_shift' (ScaleShift"]),
        Unsupported(fixture: "k3-user-dims-fill", layers: ["'pooled' (Lambda"]),
    ])
    func unsupportedLayersFailAsOneErrorWritingNothing(_ unsupported: Unsupported) throws {
        let scratch = try TemporaryDirectory()
        let source = Fixtures.root.appendingPathComponent("h5/\(unsupported.fixture)")
        let output = scratch.url.appendingPathComponent("converted")
        let error = #expect(throws: KleverError.self) {
            try Conversion.run(from: .h5, to: .savedModel, source: ModelPackageFolder(path: source.path), output: output.path)
        }
        #expect(error?.code == .unsupportedModel)
        for layer in unsupported.layers { #expect(error?.detail.contains(layer) == true, "\(error?.detail ?? "")") }
        #expect(error?.detail.contains("\(unsupported.layers.count) unsupported layer") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "no output, no staging folder left")
    }
}
