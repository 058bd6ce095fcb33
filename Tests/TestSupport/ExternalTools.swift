import Foundation

/// The helpers in `../shared/tools` that give tests real external parts.
public enum SharedTools {
    public static let root = Fixtures.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tools")

    /// Runs a tool with arguments, optionally feeding stdin; returns status and output.
    public static func run(_ tool: String, _ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = root.appendingPathComponent(tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
