import Foundation

/// Runs the built `klever` executable, as a user or a Job pod would.
public enum KleverProcess {
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
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        try ChildProcess.run(binary, arguments, environment: environment)
    }

    /// The exit status a parent observes for one of klever's exit codes.
    public static func observed(_ exitCode: Int32) -> Int32 { exitCode & 0xff }
}

extension ChildProcess.Result {
    /// stderr lines that are errors (logs are other lines).
    public var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") } }
}
