import Foundation

/// The helpers in `../shared/tools` that give tests real external parts.
public enum SharedTools {
    public static let root = Fixtures.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tools")

    /// Runs a tool with arguments, optionally feeding stdin; returns status and output
    /// (stdout and stderr together).
    public static func run(_ tool: String, _ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run(root.appendingPathComponent(tool), arguments, stdin: stdin)
        return (result.status, result.stdout + result.stderr)
    }
}
