import Foundation

/// A file a format needs in `model/`: a name pattern (`*.onnx`, `saved_model.pb`), or
/// several alternatives (`*.plan` or `*.engine`).
public struct RequiredFile: Hashable, Sendable, CustomStringConvertible {
    public let patterns: [String]

    public init(_ patterns: String...) { self.patterns = patterns }

    /// Whether a file name matches; a pattern has at most a leading `*`.
    public func matches(_ name: String) -> Bool {
        patterns.contains { pattern in
            pattern.hasPrefix("*") ? name.hasSuffix(pattern.dropFirst()) && name.count > pattern.count - 1 : name == pattern
        }
    }

    public var description: String { patterns.joined(separator: " or ") }
}

extension Format {
    /// The files this format needs, exactly one of each (DESIGN: "Required files per format").
    public var requiredFiles: [RequiredFile] {
        switch self {
        case .savedModel: [RequiredFile("saved_model.pb")]
        case .onnx: [RequiredFile("*.onnx")]
        case .h5: [RequiredFile("*.h5")]
        case .pmml: [RequiredFile("*.pmml")]
        case .caffeModel: [RequiredFile("*.caffemodel"), RequiredFile("*.prototxt")]
        case .netDef: [RequiredFile("init_net.pb"), RequiredFile("predict_net.pb")]
        case .mxnetParams: [RequiredFile("*symbol.json"), RequiredFile("*.params")]
        case .torchScript: [RequiredFile("*.pt")]
        case .graphDef: [RequiredFile("*.graphdef")]
        case .tensorRT: [RequiredFile("*.plan", "*.engine")]
        case .sklearn: [RequiredFile("*.joblib")]
        case .xgboost: [RequiredFile("*.xgboost")]
        case .mlflow: [RequiredFile("MLmodel")]
        case .pickle: [RequiredFile("*.pickle")]
        case .mllib, .others: []
        }
    }
}

/// An ormb package folder: `ormbfile.yaml` and `model/`.
public struct ModelPackageFolder: Sendable {
    /// The folder as the user named it (errors use this spelling).
    public let path: String
    public let url: URL

    public init(path: String) {
        self.path = path
        self.url = URL(fileURLWithPath: path, isDirectory: true)
    }

    public var ormbfileURL: URL { url.appendingPathComponent(Ormbfile.fileName) }
    public var modelURL: URL { url.appendingPathComponent("model", isDirectory: true) }

    /// How errors name a path inside the package.
    public func display(_ relative: String) -> String {
        path.hasSuffix("/") ? path + relative : path + "/" + relative
    }

    public func readOrmbfile() throws -> Ormbfile {
        guard FileManager.default.fileExists(atPath: ormbfileURL.path) else {
            throw KleverError(.invalidPackage, file: path, "no \(Ormbfile.fileName)")
        }
        return try Ormbfile(contentsOf: ormbfileURL, file: display(Ormbfile.fileName))
    }

    /// Finds the required files of a format under `model/` (hidden files and folders
    /// ignored), exactly one of each.
    public func modelFiles(for format: Format) throws -> ModelFiles {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelURL.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw KleverError(.invalidPackage, file: display("model"), "no such folder (a package holds \(Ormbfile.fileName) and model/)")
        }
        let visible = try visibleFiles()
        var found: [RequiredFile: String] = [:]
        for requirement in format.requiredFiles {
            let matches = visible.filter { requirement.matches(($0 as NSString).lastPathComponent) }
            switch matches.count {
            case 1:
                found[requirement] = matches[0]
            case 0 where requirement.patterns.count == 1 && !requirement.patterns[0].hasPrefix("*"):
                let names = format.requiredFiles.map(\.description).joined(separator: ", ")
                throw KleverError(
                    .invalidPackage, file: display("model/" + requirement.patterns[0]),
                    "no such file (\(format.rawValue) needs exactly one of each: \(names))")
            case 0:
                throw KleverError(
                    .invalidPackage, file: display("model"),
                    "no \(requirement) file (\(format.rawValue) needs exactly one)")
            default:
                let names = matches.map { "model/" + $0 }.joined(separator: ", ")
                throw KleverError(
                    .invalidPackage, file: display("model"),
                    "\(matches.count) \(requirement) files (\(names)); \(format.rawValue) needs exactly one")
            }
        }
        return ModelFiles(package: self, format: format, relativePaths: found)
    }

    /// Paths relative to `model/` of every regular file not hidden, in sorted order.
    private func visibleFiles() throws -> [String] {
        guard let walker = FileManager.default.enumerator(
            at: modelURL, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            throw KleverError(.invalidPackage, file: display("model"), "cannot list the folder")
        }
        let base = modelURL.standardizedFileURL.path
        var files: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            files.append(full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : url.lastPathComponent)
        }
        return files.sorted()
    }
}

/// The resolved model files of a package.
public struct ModelFiles: Sendable {
    public let package: ModelPackageFolder
    public let format: Format
    private let relativePaths: [RequiredFile: String]

    init(package: ModelPackageFolder, format: Format, relativePaths: [RequiredFile: String]) {
        self.package = package
        self.format = format
        self.relativePaths = relativePaths
    }

    /// The file found for a requirement of the format.
    public func url(_ requirement: RequiredFile) -> URL {
        package.modelURL.appendingPathComponent(relativePaths[requirement]!)
    }

    /// How errors name that file (`PKG/model/x.onnx`).
    public func display(_ requirement: RequiredFile) -> String {
        package.display("model/" + relativePaths[requirement]!)
    }

    /// The first (for most formats, the only) required file.
    public var primary: RequiredFile { format.requiredFiles[0] }
}
