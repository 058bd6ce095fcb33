import Foundation

/// The real runtimes (onnxruntime, TensorFlow) that check converted models, in Python
/// venvs `build/test` prepares and names in `KLEVER_PYTHON_ONNX` / `KLEVER_PYTHON_TF`.
public enum Interop {
    public enum Runtime: String, Sendable {
        case onnx = "KLEVER_PYTHON_ONNX"
        case tensorFlow = "KLEVER_PYTHON_TF"

        var script: String { self == .onnx ? "build/interop/check_onnx.py" : "build/interop/check_savedmodel.py" }
    }

    public struct Report: Decodable, Sendable {
        public let opset: Int?
        public let outputs: [String: Double]
        public let maxAbsError: Double
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the converted model on the reference inputs and reports each output's max
    /// absolute error against the source framework's outputs.
    public static func check(_ runtime: Runtime, model: URL, reference: URL) throws -> Report {
        guard let python = ProcessInfo.processInfo.environment[runtime.rawValue] else {
            throw Failure(description: "\(runtime.rawValue) is not set: run the tests with build/test, which prepares the Python runtimes")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Fixtures.repositoryRoot.appendingPathComponent(runtime.script).path, model.path, reference.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorText = FutureText(errors.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(runtime.script) failed: \(errorText.value.suffix(2000))")
        }
        return try JSONDecoder().decode(Report.self, from: data)
    }
}

/// Reads a pipe to its end on another thread (so a chatty child cannot block).
final class FutureText: @unchecked Sendable {
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            done.signal()
        }
    }

    var value: String {
        done.wait()
        return text
    }
}
