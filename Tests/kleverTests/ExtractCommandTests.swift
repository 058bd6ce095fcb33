import Foundation
import ModelPackage
import Testing
import TestSupport

/// `klever extract` as a user runs it: JSON on stdout, one error line on stderr,
/// the documented exit codes, nothing changed on failure.
@Suite struct ExtractCommandTests {
    private func package(_ name: String, in scratch: TemporaryDirectory) throws -> URL {
        try scratch.copy(Fixtures.upstreamRoot.appendingPathComponent(name), as: "pkg")
    }

    @Test func printsTheSignatureAsJSON() throws {
        let scratch = try TemporaryDirectory()
        let pkg = try package("onnx", in: scratch)
        let result = try KleverProcess.run(["extract", pkg.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "ONNX")
        #expect((json["layers"] as? [String: Int]) == ["Add": 1])
        #expect(result.errorLines.isEmpty)
        let written = try #require(try ModelPackageFolder(path: pkg.path).readOrmbfile().signature())
        #expect(written.inputs.map(\.name) == ["X", "Y"])
    }

    @Test func withoutJSONStdoutStaysEmpty() throws {
        let scratch = try TemporaryDirectory()
        let pkg = try package("savedmodel", in: scratch)
        let result = try KleverProcess.run(["extract", pkg.path])
        #expect(result.status == 0 && result.stdout.isEmpty)
    }

    @Test func theExtractorVariableChoosesTheFormat() throws {
        let scratch = try TemporaryDirectory()
        let pkg = try package("graphdef", in: scratch)
        try "author: someone\n".write(to: pkg.appendingPathComponent("ormbfile.yaml"), atomically: true, encoding: .utf8)
        let result = try KleverProcess.run(["extract", pkg.path, "--json"], environment: ["EXTRACTOR": "graphdef"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"format\" : \"GraphDef\""))
        let plain = try KleverProcess.run(["extract", pkg.path])
        #expect(plain.errorLines == ["error: \(pkg.path)/ormbfile.yaml: no format: set `format` or pass --format"])
    }

    @Test func aCorruptModelFailsWithOneLineAndTheTaskExitCode() throws {
        let scratch = try TemporaryDirectory()
        let pkg = try package("onnx", in: scratch)
        let model = pkg.appendingPathComponent("model/model.onnx")
        let bytes = try Data(contentsOf: model)
        try bytes.prefix(bytes.count / 2).write(to: model)
        let ormbfile = try Data(contentsOf: pkg.appendingPathComponent("ormbfile.yaml"))

        let result = try KleverProcess.run(["extract", pkg.path, "--json"])
        #expect(result.status == KleverProcess.observed(10003))
        #expect(result.stdout.isEmpty)
        #expect(result.errorLines.count == 1)
        #expect(result.errorLines.first?.hasPrefix("error: \(pkg.path)/model/model.onnx: not a valid ONNX model:") == true, "\(result.stderr)")
        #expect(try Data(contentsOf: pkg.appendingPathComponent("ormbfile.yaml")) == ormbfile)
    }

    /// The broken packages of the fixture corpus (fixtures/index.json), each as a user meets it.
    static let brokenFixtures = Fixtures.index.filter { $0.error != nil }

    @Test(arguments: brokenFixtures)
    func everyBrokenFixtureFailsWithOneLineNamingItsFile(_ fixture: Fixtures.Case) throws {
        let error = try #require(fixture.error)
        let scratch = try TemporaryDirectory()
        let pkg = try scratch.copy(fixture.packageURL, as: "pkg")
        let ormbfile = pkg.appendingPathComponent("ormbfile.yaml")
        let before = try? Data(contentsOf: ormbfile)

        let result = try KleverProcess.run(["extract", pkg.path, "--json"])
        #expect(result.status == KleverProcess.observed(error.exitCode), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        // One line on stderr: klever's, nothing a library printed beside it.
        #expect(result.errorLines.count == 1 && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        let named = "error: " + pkg.appendingPathComponent(error.file).path + ": "
        #expect(result.errorLines.first?.hasPrefix(named) == true, "\(result.stderr) should start with \(named)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect((try? Data(contentsOf: ormbfile)) == before, "ormbfile.yaml changed")
    }

    /// Keras H5 files that libhdf5 1.10 mishandles (found by fuzzing): a damaged model, never
    /// a crash or a hang, since klever reads them in a child process; and one line on
    /// stderr, not glibc's own message about the heap libhdf5 corrupted.
    @Test(arguments: ["global-heap-free-space-of-size-0.h5", "attribute-name-overread.h5", "heap-corrupted-by-libhdf5-a.h5", "heap-corrupted-by-libhdf5-b.h5"])
    func h5FilesLibhdf5MishandlesAreDamagedModels(_ name: String) throws {
        let scratch = try TemporaryDirectory()
        let pkg = try scratch.copy(Fixtures.root.appendingPathComponent("h5/k2-nested"), as: "pkg")
        try FileManager.default.removeItem(at: pkg.appendingPathComponent("model/model.h5"))
        try FileManager.default.copyItem(at: Fixtures.root.appendingPathComponent("regressions/h5/\(name)"), to: pkg.appendingPathComponent("model/model.h5"))
        let result = try KleverProcess.run(["extract", pkg.path])
        #expect(result.status == KleverProcess.observed(10003), "\(result.stderr)")
        #expect(result.errorLines.count == 1 && result.errorLines.first?.hasPrefix("error: \(pkg.path)/model/model.h5: ") == true, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func anUnknownFormatIsAUsageError() throws {
        let result = try KleverProcess.run(["extract", "/nonexistent", "--format", "Keras2"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Keras2"))
    }
}
