import Converter
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Converted models run in the real runtimes and compute what the source framework
/// computed at fixture time (max abs error <= 1e-4).
@Suite struct NumericConversionTests {
    static let tolerance = 1e-4

    /// A fixture and the formats it is converted through, the last one run.
    struct Route: Sendable, CustomTestStringConvertible {
        let fixture: String
        let formats: [Format]
        var testDescription: String { fixture + " " + formats.map(\.rawValue).joined(separator: "->") }
    }

    static let routes: [Route] =
        ["netdef/squeezenet-like", "netdef/fc-two-inputs", "netdef/batchnorm", "netdef/const-input"]
        .map { Route(fixture: $0, formats: [.netDef, .onnx]) }
        // Caffe no longer runs anywhere: its NetDef is checked through ONNX, against
        // the PyTorch equivalent of each net.
        + ["caffe/lenet-input-shape", "caffe/input-dim-legacy", "caffe/input-layers-zoo", "caffe/v1-layers"]
        .map { Route(fixture: $0, formats: [.caffeModel, .netDef, .onnx]) }
        + [
            "mxnetparams/convnet", "mxnetparams/two-inputs", "mxnetparams/reshape-codes", "mxnetparams/old-style-json",
            "mxnetparams/legacy-params", "mxnetparams/op-zoo", "mxnetparams/pooling-conventions", "mxnetparams/math-ops",
        ]
        .map { Route(fixture: $0, formats: [.mxnetParams, .onnx]) }

    @Test(arguments: routes)
    func computesWhatTheSourceComputed(_ route: Route) throws {
        let scratch = try TemporaryDirectory()
        let fixture = Fixtures.root.appendingPathComponent(route.fixture)
        var source = fixture
        for (index, (from, to)) in zip(route.formats, route.formats.dropFirst()).enumerated() {
            let output = scratch.url.appendingPathComponent("step\(index)")
            let result = try Conversion.run(from: from, to: to, source: ModelPackageFolder(path: source.path), output: output.path)
            #expect(result.format == to.rawValue)
            let written = try ModelPackageFolder(path: output.path).readOrmbfile()
            #expect(try written.format() == to)
            #expect(written.author == (try ModelPackageFolder(path: fixture.path).readOrmbfile().author))
            #expect(!result.inputs.isEmpty && !result.outputs.isEmpty, "the result's signature is extracted")
            source = output
        }
        let target = route.formats.last!
        let model = source.appendingPathComponent(target == .onnx ? "model/model.onnx" : "model")
        let report = try Interop.check(target == .onnx ? .onnx : .tensorFlow, model: model, reference: fixture.appendingPathComponent("reference.npz"))
        #expect(report.maxAbsError <= Self.tolerance, "\(report.outputs)")
        if let opset = report.opset { #expect(opset >= 13) }
    }
}
