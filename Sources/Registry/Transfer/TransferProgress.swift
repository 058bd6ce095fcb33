import Foundation
import Logging

/// Progress of one long transfer: a bar on stderr when it is a terminal, else one log
/// line when the transfer ends. Updates are throttled to a few per second.
public final class TransferProgress {
    /// Transfers smaller than this get no bar and only a debug line.
    public static let longTransfer: Int64 = 8 << 20

    private let label: String
    private let total: Int64
    private let logger: Logger
    private let showsBar: Bool
    private let started = Date()
    private var completed: Int64 = 0
    private var lastDraw = Date.distantPast

    /// `label` says what moves (`pull sha256:1234abcd`); `terminal` defaults to whether
    /// stderr is a terminal.
    public init(label: String, total: Int64, logger: Logger, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = total
        self.logger = logger
        self.showsBar = terminal && total >= Self.longTransfer
    }

    /// Sets how many bytes are done (it may go down when a transfer starts over).
    public func update(_ completed: Int64) {
        self.completed = completed
        guard showsBar, Date().timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = Date()
        draw(final: false)
    }

    /// The transfer ended: the last bar state, or a log line with the rate.
    public func finish() {
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let summary = "\(label): \(Self.megabytes(total)) in \(String(format: "%.1f", seconds)) s (\(Self.megabytes(Int64(Double(total) / seconds)))/s)"
        if showsBar {
            completed = total
            draw(final: true)
        } else if total >= Self.longTransfer {
            logger.info("\(summary)")
        } else {
            logger.debug("\(summary)")
        }
    }

    private func draw(final: Bool) {
        let fraction = total > 0 ? min(Double(completed) / Double(total), 1) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(Self.megabytes(completed))/\(Self.megabytes(total))" + (final ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
