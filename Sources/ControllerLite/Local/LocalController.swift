import Foundation
import Logging
import ModelPackage

/// `klever controller --local`: watches a folder of ModelJob files (`*.yaml`, `*.yml`,
/// `*.json`) and runs, one at a time, each one that has not finished.
///
/// Level-based like the cluster controller: what it does follows from the files alone,
/// so a restart reruns nothing finished (the status is in the file) and runs again a
/// ModelJob an earlier controller left Running. Within one process a file is looked at
/// again only when its content changes, so one it cannot read or write is reported
/// once, not at every poll.
public final class LocalController {
    public let folder: URL
    public let runner: LocalRunner
    /// Seconds between two looks at the folder.
    public let interval: Double
    private var logger: Logger { runner.logger }
    /// Each file's content when it was last handled.
    private var handled: [String: Data] = [:]

    /// A controller of `folder`, which is created if missing (so that pushes to the
    /// store write their ModelJobs there, see ``ExtractionOnPush``).
    public init(folder: URL, runner: LocalRunner, interval: Double) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw KleverError(.save, file: folder.path, "cannot create: \(error.localizedDescription)")
        }
        self.folder = folder
        self.runner = runner
        self.interval = interval
    }

    /// Polls until the process is stopped. A ModelJob running then stays Running in its
    /// file and runs again at the next start.
    public func run() -> Never {
        logger.info("watching \(folder.path) for ModelJobs; models in the store \(runner.store)")
        while true {
            poll()
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// One look at the folder: runs every new or changed file that has not finished.
    func poll() {
        let files = modelJobFiles()
        let paths = Set(files.map(\.path))
        handled = handled.filter { paths.contains($0.key) }
        for url in files {
            guard let content = FileManager.default.contents(atPath: url.path), handled[url.path] != content else { continue }
            do {
                let file = try ModelJobFile(url: url)
                let status = try runner.run(file)
                if status != file.modelJob.status, let status {
                    logger.info("\(file.name): \(status.phase?.rawValue ?? ""): \(status.message ?? "")")
                }
            } catch {
                logger.error("\(error)")
            }
            handled[url.path] = FileManager.default.contents(atPath: url.path)
        }
    }

    private func modelJobFiles() -> [URL] {
        let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])) ?? []
        return entries.filter { ["yaml", "yml", "json"].contains($0.pathExtension) }.sorted { $0.path < $1.path }
    }
}
