import Converter
import Extractor
import Foundation
import Logging
import ModelPackage
import Registry

/// The worker of a ModelJob's Job (`klever job`): login, pull, export, extract or
/// convert, push — the original worker images' stages, each failing with its exit code
/// (10000 login ... 10005 push, see ``WorkerStep``).
///
/// An extraction updates the source package's ormbfile and pushes it back to the
/// same tag; a conversion writes a new package and pushes it to the destination.
/// The log says one line per step, with its time, so a person can follow a Job.
public struct ModelJobWorker {
    public let request: WorkerRequest
    public let stores: WorkerStores
    public let logger: Logger

    public init(request: WorkerRequest, stores: WorkerStores, logger: Logger) {
        self.request = request
        self.stores = stores
        self.logger = logger
    }

    /// Runs every step; returns the digest of the pushed manifest. Throws the first
    /// failure as a ``KleverError`` with its step's exit code.
    @discardableResult
    public func run() throws -> Digest {
        let source = ModelPackageFolder(path: request.sourcePath)
        let target: ModelPackageFolder
        switch request.task {
        case .extraction(let format):
            logger.info("extraction of the \(format.rawValue) model \(request.source), pushed back to the same tag")
            target = source
        case .conversion(let from, let to, let destination):
            logger.info("conversion of \(request.source) from \(from.rawValue) to \(to.rawValue), pushed to \(destination)")
            target = ModelPackageFolder(path: request.destinationPath)
        }
        // The libraries' own progress lines repeat the step lines; they stay for debugging.
        var quiet = logger
        if logger.logLevel == .info { quiet.logLevel = .notice }

        try step(.login, "the registry") {
            let registries = try stores.login()
            return registries.isEmpty ? "local store, nothing to check" : "\(registries.joined(separator: ", ")) accepted the credentials"
        }
        if FileManager.default.fileExists(atPath: source.ormbfileURL.path) {
            // An init container (the controller's model-initializer, or the ModelJob's
            // own) put the package there.
            try step(.pull, request.source.description) { "\(source.path) already holds the package (pulled by an init container)" }
            try step(.export, source.path) { "nothing to do" }
        } else {
            let downloads = ModelTransfer.downloadsFolder(for: source.url)
            defer { try? FileManager.default.removeItem(at: downloads) }
            let pulled = try step(.pull, request.source.description) {
                let pulled = try ModelTransfer.pull(request.source, from: stores.source, downloads: downloads, logger: quiet)
                return (pulled, "\(request.source) (\(pulled.manifestDigest), layer of \(pulled.layerDescriptor.size) bytes)")
            }
            try step(.export, source.path) {
                try ArtifactLayout.layOut(
                    config: pulled.config, layer: pulled.layer, into: source.url, display: request.source.description, limits: UnpackLimits())
                return "into \(source.path)"
            }
        }
        switch request.task {
        case .extraction(let format):
            try step(.extract, source.path) {
                let result = try Extraction.update(source, format: format, logger: quiet)
                return "\(format.rawValue) signature: \(Self.describe(result))"
            }
        case .conversion(let from, let to, _):
            try step(.convert, source.path) {
                let result = try Conversion.run(
                    from: from, to: to, source: source, output: target.path, inputs: request.inputs, logger: quiet)
                return "into \(target.path): \(Self.describe(result))"
            }
        }
        return try step(.push, request.destination.description) {
            let digest = try ModelTransfer.push(target, to: request.destination, store: stores.destination, logger: quiet)
            return (digest, "\(request.destination) (\(digest))")
        }
    }

    /// Runs one step; logs what it did and how long it took, or that it failed.
    private func step<T>(_ step: WorkerStep, _ subject: String, _ body: () throws -> (T, String)) throws -> T {
        let number = "[\(Self.stepNumber(step))/5] \(step.rawValue)"
        let started = ContinuousClock.now
        do {
            let (result, summary) = try body()
            logger.info("\(number): \(summary) (\(Self.seconds(since: started)))")
            return result
        } catch {
            let failure = step.failure(error, subject: subject)
            logger.error("\(number) failed after \(Self.seconds(since: started)), exit code \(failure.exitCode)")
            throw failure
        }
    }

    private func step(_ step: WorkerStep, _ subject: String, _ body: () throws -> String) throws {
        try self.step(step, subject) { ((), try body()) }
    }

    private static func stepNumber(_ step: WorkerStep) -> Int {
        switch step {
        case .login: 1
        case .pull: 2
        case .export: 3
        case .extract, .convert: 4
        case .push: 5
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.2f s", (ContinuousClock.now - start).seconds)
    }

    private static func describe(_ result: ExtractionResult) -> String {
        "\(result.inputs.count) inputs, \(result.outputs.count) outputs, \(result.signature.layerCount) layers"
    }
}
