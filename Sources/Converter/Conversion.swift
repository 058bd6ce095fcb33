import Extractor
import Foundation
import Logging
import ModelPackage

/// Converts a package to another format: a new package with `model/` and an ormbfile
/// carrying the author, the target format and the extracted signature of the result.
public enum Conversion {
    private static let conversions: [any ModelConversion.Type] = [CaffeToNetDef.self, NetDefToONNX.self, MXNetToONNX.self, KerasToSavedModel.self]

    /// The (source, target) pairs klever converts.
    public static var pairs: [(Format, Format)] { conversions.map { ($0.source, $0.target) } }

    /// Converts `source` into a new package at `output`.
    ///
    /// - Parameters:
    ///   - inputs: input tensors overriding the source ormbfile's (the `INPUTS` variable).
    /// - Returns: the result's signature, as written into its ormbfile.
    @discardableResult
    public static func run(
        from: Format, to: Format, source: ModelPackageFolder, output: String,
        inputs: [TensorSpec]? = nil, logger: Logger = Logger(label: "klever.convert")
    ) throws -> ExtractionResult {
        guard let conversion = conversions.first(where: { $0.source == from && $0.target == to }) else {
            let known = pairs.map { "\($0.0.rawValue)->\($0.1.rawValue)" }.joined(separator: ", ")
            throw KleverError(.usage, file: "\(from.rawValue)->\(to.rawValue)", "klever does not convert this (it converts \(known))")
        }
        let ormbfile = try source.readOrmbfile()
        if let declared = try ormbfile.format(), declared != from {
            throw KleverError(.invalidOrmbfile, file: ormbfile.file, "format is \(declared.rawValue), not \(from.rawValue)")
        }
        let files = try source.modelFiles(for: from)
        let givenInputs = try inputs ?? ormbfile.signature()?.inputs ?? []
        let started = ContinuousClock.now

        let destination = URL(fileURLWithPath: output, isDirectory: true)
        let staging = try OutputPackage(destination: destination, display: output)
        let result: ExtractionResult
        do {
            let convertedInputs = try conversion.convert(files, inputs: givenInputs, into: staging.modelURL, logger: logger)
            var converted = Ormbfile(file: staging.package.display(Ormbfile.fileName))
            if let author = ormbfile.author { converted.set("author", author) }
            converted.set("format", to.rawValue)
            converted.set("framework", to.framework?.rawValue)
            // The inputs as the conversion knows them: formats without shapes (NetDef)
            // take them from here when the result's signature is extracted.
            converted.setSignature(Signature(inputs: convertedInputs))
            try converted.write(to: staging.package.ormbfileURL)
            result = try Extraction.update(staging.package)
            try staging.commit()
        } catch {
            staging.discard()
            throw error
        }
        logger.info("converted \(from.rawValue) to \(to.rawValue)", metadata: [
            "output": "\(output)", "seconds": "\(String(format: "%.3f", (ContinuousClock.now - started).seconds))",
        ])
        return result
    }
}

/// The new package, built in a hidden folder beside the destination and renamed into
/// place only when complete: a failed conversion leaves nothing behind.
private struct OutputPackage {
    let destination: URL
    let staging: URL
    let package: ModelPackageFolder
    var modelURL: URL { package.modelURL }

    init(destination: URL, display: String) throws {
        self.destination = destination
        let manager = FileManager.default
        if manager.fileExists(atPath: destination.path) {
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? ["?"]
            guard contents.isEmpty else {
                throw KleverError(.save, file: display, "already exists and is not empty; klever writes a new package")
            }
        }
        staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).klever-\(UUID().uuidString.prefix(8))", isDirectory: true)
        package = ModelPackageFolder(path: staging.path)
        do {
            try manager.createDirectory(at: package.modelURL, withIntermediateDirectories: true)
        } catch {
            throw KleverError(.save, file: display, "cannot create: \(error.localizedDescription)")
        }
    }

    /// Renames the package into place. An existing empty destination may be a mount
    /// point (a Job's output volume) that cannot be replaced: then its entries are
    /// moved in, `model/` first and `ormbfile.yaml` last, so the package only looks
    /// complete when it is.
    func commit() throws {
        if rename(staging.path, destination.path) == 0 { return }
        for entry in ["model", Ormbfile.fileName] {
            let from = staging.appendingPathComponent(entry), to = destination.appendingPathComponent(entry)
            guard rename(from.path, to.path) == 0 else {
                throw KleverError(.save, file: to.path, "cannot move into place: \(String(cString: strerror(errno)))")
            }
        }
        discard()
    }

    func discard() { try? FileManager.default.removeItem(at: staging) }
}
