import Foundation

/// Runs the built `klever` executable, as a user or a Job pod would.
public enum KleverProcess {
    public struct Result: Sendable {
        /// The exit status as the parent sees it (the low 8 bits: 10003 reads 19).
        public let status: Int32
        public let stdout: String
        public let stderr: String

        /// stderr lines that are errors (logs are other lines).
        public var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") } }
    }

    /// The binary: `KLEVER_BINARY`, else `klever` beside the test bundle in the build folder.
    public static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["KLEVER_BINARY"] { return URL(fileURLWithPath: path) }
        var folder = Bundle.main.bundleURL
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("klever")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/klever")
    }()

    /// Runs klever with arguments and extra environment variables; waits for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes before waiting so a full pipe cannot block the child.
        let errorData = FutureData(error.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    /// The exit status a parent observes for one of klever's exit codes.
    public static func observed(_ exitCode: Int32) -> Int32 { exitCode & 0xff }
}

/// Reads a file handle to its end on a background thread.
private final class FutureData: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    var value: Data {
        done.wait()
        return data
    }
}
