import Extractor
import Foundation
import Logging
import ModelPackage
import Registry

/// The serving init container: pulls a model, lays it out for its server, writes the
/// server's config. Built beside the destination and swapped in whole, so a failure
/// leaves nothing half-laid and a restarted init container finds either nothing or a
/// complete model (which it reuses).
public enum ServeInit {
    /// What to serve and where (the container's variables and arguments).
    public struct Request: Sendable {
        public var reference: ModelReference
        public var destination: URL
        /// The model's name in the server (`SERVING_NAME`; default: the destination's name).
        public var servingName: String
        /// `FORMAT`: overrides the ormbfile's.
        public var format: Format?
        /// `USING_ORMBFILE`: take the served tensors from the ormbfile (default) or from
        /// `INPUTS`/`OUTPUTS`.
        public var usingOrmbfile: Bool
        public var inputs: [TensorSpec]?
        public var outputs: [TensorSpec]?

        /// The request of `klever serve-init MODEL_REF DEST` with the original's variables.
        public init(reference: String, destination: String, environment: [String: String]) throws {
            self.reference = try ModelReference(parsing: reference)
            self.destination = URL(fileURLWithPath: destination).standardizedFileURL
            let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            servingName = value("SERVING_NAME") ?? self.destination.lastPathComponent
            if let name = value("FORMAT") {
                guard let format = Format(name: name) else { throw KleverError(.usage, file: "FORMAT", "unknown format '\(name)'") }
                self.format = format
            }
            usingOrmbfile = value("USING_ORMBFILE").map { ["1", "true", "yes"].contains($0.lowercased()) } ?? true
            inputs = try value("INPUTS").map { try TensorSpec.list(json: $0, source: "INPUTS") }
            outputs = try value("OUTPUTS").map { try TensorSpec.list(json: $0, source: "OUTPUTS") }
            // ROOTPATH, the original client's cache root (Seldon sets /mnt), has no use
            // here: klever keeps no cache, only the staging folder beside DEST.
        }
    }

    /// The marker a complete layout carries: the reference it was pulled from.
    static let marker = ".klever-serving"

    /// Lays the model out at the destination. Returns false when a complete layout of
    /// the same reference was already there (an init container that ran before).
    @discardableResult
    public static func run(_ request: Request, store: ArtifactStore, limits: UnpackLimits = UnpackLimits(), logger: Logger) throws -> Bool {
        let manager = FileManager.default
        let destination = request.destination
        if let done = try? String(contentsOf: destination.appendingPathComponent(marker), encoding: .utf8),
           done == request.reference.description {
            logger.info("\(destination.path) already holds \(request.reference)")
            return false
        }
        if let format = request.format { try checkServed(format, request) }
        // A fixed staging name: a restarted init container resumes its downloads there.
        let staging = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).klever-staging")
        try? manager.removeItem(at: staging)
        defer { try? manager.removeItem(at: staging) }
        try ModelTransfer.pull(request.reference, from: store, into: staging, limits: limits, logger: logger)

        let package = ModelPackageFolder(path: staging.path)
        var ormbfile = try package.readOrmbfile()
        guard let format = try request.format ?? ormbfile.format() else {
            throw KleverError(.invalidOrmbfile, file: request.reference.description, "the ormbfile names no format; set FORMAT")
        }
        try checkServed(format, request)
        let signature = try servedSignature(request, package: package, ormbfile: ormbfile, format: format)
        ormbfile.setSignature(signature)
        try ormbfile.write(to: package.ormbfileURL)
        let modelPath = try ServingLayout.relayout(package, format: format)
        try ServingConfig.write(for: format, name: request.servingName, signature: signature, ormbfile: ormbfile, modelPath: modelPath, into: staging)
        try AtomicFile.write(Data(request.reference.description.utf8), to: staging.appendingPathComponent(marker))
        try swap(staging, into: destination)
        logger.info("laid out \(request.reference) for serving as '\(request.servingName)' in \(destination.path)")
        return true
    }

    /// The tensors the server serves: the ormbfile's (or INPUTS/OUTPUTS), read from the
    /// model itself when they are missing and the format can be read.
    private static func servedSignature(_ request: Request, package: ModelPackageFolder, ormbfile: Ormbfile, format: Format) throws -> Signature {
        var signature = (request.usingOrmbfile ? try ormbfile.signature() : nil) ?? Signature()
        if let inputs = request.inputs, !request.usingOrmbfile || signature.inputs.isEmpty { signature.inputs = inputs }
        if let outputs = request.outputs, !request.usingOrmbfile || signature.outputs.isEmpty { signature.outputs = outputs }
        if signature.inputs.isEmpty || signature.outputs.isEmpty || signature.layers.isEmpty, Extraction.formats.contains(format) {
            let extracted = try Extraction.signature(of: package, format: format).1
            if signature.inputs.isEmpty { signature.inputs = extracted.inputs }
            if signature.outputs.isEmpty { signature.outputs = extracted.outputs }
            if signature.layers.isEmpty { signature.layers = extracted.layers }
        }
        return signature
    }

    private static func checkServed(_ format: Format, _ request: Request) throws {
        guard ServingLayout.server(for: format) == nil else { return }
        throw KleverError(.unsupportedModel, file: request.reference.description, "\(format.rawValue) models are not served; convert them first (klever convert)")
    }

    /// Puts the new layout in place of whatever the destination held.
    private static func swap(_ staging: URL, into destination: URL) throws {
        let manager = FileManager.default
        let old = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).klever-old")
        try? manager.removeItem(at: old)
        if manager.fileExists(atPath: destination.path), rename(destination.path, old.path) != 0 {
            throw KleverError(.save, file: destination.path, "cannot replace: \(String(cString: strerror(errno)))")
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(old.path, destination.path)
            throw KleverError(.save, file: destination.path, "cannot move into place: \(reason)")
        }
        try? manager.removeItem(at: old)
    }
}
