import ArgumentParser
import Extractor
import Foundation
import Logging
import ModelPackage

/// Runs a command body with klever's conventions: logs to stderr, a failure printed
/// as one `error: ...` line and the exit code of its kind.
enum CommandRunner {
    private static let logging: Void = {
        let level = ProcessInfo.processInfo.environment["KLEVER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    static func logger(_ label: String) -> Logger {
        _ = logging
        return Logger(label: "klever.\(label)")
    }

    static func run(_ body: () throws -> Void) throws {
        // A command does one thing on one thread: C readers that trust their input may
        // run in a child process (see ChildProcessIsolation).
        ChildProcessIsolation.enable()
        do {
            try body()
        } catch let error as KleverError {
            printError(error.description)
            throw ExitCode(error.exitCode)
        }
    }

    static func printError(_ message: String) {
        let line = "error: " + message.replacingOccurrences(of: "\n", with: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Format: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
