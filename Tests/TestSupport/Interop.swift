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
        let script = Fixtures.repositoryRoot.appendingPathComponent(runtime.script).path
        let result = try ChildProcess.run(URL(fileURLWithPath: python), [script, model.path, reference.path])
        guard result.status == 0 else {
            throw Failure(description: "\(runtime.script) failed: \(result.stderr.suffix(2000))")
        }
        return try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    }
}
