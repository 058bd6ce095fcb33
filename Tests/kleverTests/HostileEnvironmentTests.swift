import Foundation
import ModelPackage
import Testing
import TestSupport

/// What the machine can do to a run: a full disk, a kill in the middle. Nothing the
/// user had is lost, and no half-written result is left where a result belongs.
@Suite struct HostileEnvironmentTests {
    /// Runs klever under a shell with a file-size limit (in KiB), the way a full disk
    /// refuses writes (EFBIG instead of ENOSPC; SIGXFSZ ignored so the write fails).
    private func runWithFileLimit(_ kibibytes: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        let command = "ulimit -f \(kibibytes); trap '' XFSZ; exec \"$0\" \"$@\""
        return try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command, KleverProcess.binary.path] + arguments, environment: environment)
    }

    @Test func aFullDiskDuringExtractionKeepsTheOrmbfile() throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(Fixtures.root.appendingPathComponent("onnx/multi-io"), as: "pkg")
        let ormbfile = package.appendingPathComponent("ormbfile.yaml")
        let before = try Data(contentsOf: ormbfile)
        let result = try runWithFileLimit(1, ["extract", package.path])
        #expect(result.status == KleverProcess.observed(10004), "\(result.stderr)")
        #expect(result.errorLines.count == 1 && result.errorLines[0].contains("ormbfile.yaml: cannot write"))
        #expect(try Data(contentsOf: ormbfile) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: package.path).sorted() == ["expected.json", "model", "ormbfile.yaml"])
    }

    @Test func aFullDiskDuringConversionLeavesNoPackage() throws {
        let scratch = try TemporaryDirectory()
        let output = scratch.url.appendingPathComponent("converted")
        let result = try runWithFileLimit(
            8, ["convert", "--from", "CaffeModel", "--to", "NetDef", Fixtures.root.appendingPathComponent("caffe/lenet-input-shape").path, output.path])
        #expect(result.status == KleverProcess.observed(10004), "\(result.stderr)")
        #expect(result.errorLines.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "no package, no staging folder")
    }

    @Test func aPushKilledMidwayLeavesTheStoreAsItWas() throws {
        let scratch = try TemporaryDirectory()
        let store = scratch.url.appendingPathComponent("store")
        let environment = ["KLEVER_STORE": store.path]
        let small = try KleverProcess.run(["push", Fixtures.root.appendingPathComponent("onnx/multi-io").path, "team/m:v1"], environment: environment)
        #expect(small.status == 0, "\(small.stderr)")
        let index = try Data(contentsOf: store.appendingPathComponent("index.json"))

        // A model big enough that packing it takes a while: random bytes do not compress.
        try scratch.write("big/ormbfile.yaml", "format: ONNX\n")
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        try scratch.write("big/model/model.onnx", random.readData(ofLength: 64 << 20))
        let process = Process()
        process.executableURL = KleverProcess.binary
        process.arguments = ["push", scratch.path + "/big", "team/m:v1"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the push was still running when killed")

        #expect(try Data(contentsOf: store.appendingPathComponent("index.json")) == index, "the tag still names the first push")
        let pulled = try KleverProcess.run(["pull", "team/m:v1", scratch.path + "/pulled"], environment: environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/pulled/model/model.onnx"))
    }
}
