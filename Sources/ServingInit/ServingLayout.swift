import Foundation
import ModelPackage

/// How a server wants a model laid out: `DEST/1/` (version 1) holding the model under
/// the file names the server looks for.
public enum ServingLayout {
    /// Which server serves a format, and so which config it needs.
    public enum Server: Sendable {
        /// Triton: `config.pbtxt` beside the version folder.
        case triton
        /// MLServer: `model-settings.json` naming its runtime.
        case mlServer(implementation: String)
        /// OpenScoring: the PMML file alone.
        case openScoring
    }

    public static func server(for format: Format) -> Server? {
        switch format {
        case .onnx, .savedModel, .graphDef, .torchScript, .tensorRT, .netDef: .triton
        case .sklearn: .mlServer(implementation: "mlserver.models.SKLearnModel")
        case .xgboost: .mlServer(implementation: "mlserver.models.XGBoostModel")
        case .mllib: .mlServer(implementation: "mlservermllib.models.MLLibModel")
        case .pmml: .openScoring
        default: nil
        }
    }

    /// The model file names a server expects, by required file of the format; nil
    /// moves the format's files as they are.
    static func renames(for format: Format) -> [RequiredFile: String]? {
        switch format {
        case .onnx: [RequiredFile("*.onnx"): "model.onnx"]
        case .torchScript: [RequiredFile("*.pt"): "model.pt"]
        case .graphDef: [RequiredFile("*.graphdef"): "model.graphdef"]
        case .netDef: [RequiredFile("predict_net.pb"): "model.netdef", RequiredFile("init_net.pb"): "init_model.netdef"]
        case .tensorRT: [RequiredFile("*.plan", "*.engine"): "model.plan"]
        case .pmml: [RequiredFile("*.pmml"): "model.pmml"]
        case .sklearn: [RequiredFile("*.joblib"): "model.joblib"]
        case .xgboost: [RequiredFile("*.xgboost"): "model.xgboost"]
        default: nil
        }
    }

    /// The version folder's name.
    public static let version = "1"

    /// Moves `package/model/` to `package/1/` and renames the model files; a SavedModel
    /// becomes `1/model.savedmodel/`. Returns the path of the model inside `1/` relative
    /// to `package` (for MLServer's `uri`).
    @discardableResult
    public static func relayout(_ package: ModelPackageFolder, format: Format) throws -> String {
        let files = try package.modelFiles(for: format)
        let manager = FileManager.default
        let versionFolder = package.url.appendingPathComponent(version, isDirectory: true)
        do {
            if format == .savedModel {
                try manager.createDirectory(at: versionFolder, withIntermediateDirectories: true)
                try manager.moveItem(at: package.modelURL, to: versionFolder.appendingPathComponent("model.savedmodel"))
                return "\(version)/model.savedmodel"
            }
            var primary = version
            // Other files (ONNX external data, variables) keep their names and places.
            var moves: [(URL, String)] = []
            for (requirement, name) in renames(for: format) ?? [:] {
                moves.append((files.url(requirement), name))
                if requirement == files.primary { primary = "\(version)/\(name)" }
            }
            try manager.moveItem(at: package.modelURL, to: versionFolder)
            for (source, name) in moves {
                let relative = String(source.standardizedFileURL.path.dropFirst(package.modelURL.standardizedFileURL.path.count + 1))
                let moved = versionFolder.appendingPathComponent(relative)
                let target = versionFolder.appendingPathComponent(name)
                if moved.standardizedFileURL != target.standardizedFileURL { try manager.moveItem(at: moved, to: target) }
            }
            return primary
        } catch let error as KleverError {
            throw error
        } catch {
            throw KleverError(.unpack, file: package.path, "cannot lay the model out: \(error.localizedDescription)")
        }
    }
}
