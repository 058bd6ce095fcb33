import Converter
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Converted models run in the real runtimes and compute what the source framework
/// computed at fixture time (max abs error <= 1e-4).
@Suite struct NumericConversionTests {
    static let tolerance = 1e-4

    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: String
        let from: Format
        let to: Format
        var testDescription: String { "\(fixture) \(from.rawValue)->\(to.rawValue)" }
    }

    static let cases: [Case] = ["netdef/squeezenet-like", "netdef/fc-two-inputs", "netdef/batchnorm", "netdef/const-input"]
        .map { Case(fixture: $0, from: .netDef, to: .onnx) }

    @Test(arguments: cases)
    func computesWhatTheSourceComputed(_ conversion: Case) throws {
        let scratch = try TemporaryDirectory()
        let source = Fixtures.root.appendingPathComponent(conversion.fixture)
        let output = scratch.url.appendingPathComponent("converted")
        let result = try Conversion.run(
            from: conversion.from, to: conversion.to, source: ModelPackageFolder(path: source.path), output: output.path)
        #expect(result.format == conversion.to.rawValue)
        let written = try ModelPackageFolder(path: output.path).readOrmbfile()
        #expect(try written.format() == conversion.to)
        #expect(written.author == (try ModelPackageFolder(path: source.path).readOrmbfile().author))

        let model = output.appendingPathComponent(conversion.to == .onnx ? "model/model.onnx" : "model")
        let report = try Interop.check(conversion.to == .onnx ? .onnx : .tensorFlow, model: model, reference: source.appendingPathComponent("reference.npz"))
        #expect(report.maxAbsError <= Self.tolerance, "\(report.outputs)")
        if let opset = report.opset { #expect(opset >= 13) }
    }
}
