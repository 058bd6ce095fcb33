import Foundation
import ModelPackage

/// What a Keras H5 file holds of its model: the root attributes `model_config`,
/// `keras_version` and `backend`.
package struct KerasH5File: Codable {
    package let config: String
    package let kerasVersion: String?
    package let backend: String?

    /// Longest `model_config` read: far beyond any real model's architecture, and a
    /// bound on what a hostile file can make klever allocate.
    static let maxConfigBytes = 64 << 20

    /// Reads the file; in a child process where ``ChildProcessIsolation`` is on, since
    /// libhdf5 1.10 trusts what it decodes.
    package init(_ url: URL, name: String) throws {
        let read = { try HDF5File.read(url, name: name, as: .h5) { try Self(root: $0.root, name: name) } }
        guard ChildProcessIsolation.isEnabled else {
            self = try read()
            return
        }
        do {
            let answer = try ChildProcessIsolation.run(timeoutSeconds: 60) { Array(try JSONEncoder().encode(read())) }
            self = try JSONDecoder().decode(Self.self, from: Data(answer))
        } catch let failure as ChildProcessIsolation.Failure {
            throw KleverError(.malformedModel, file: name, "not a valid Keras H5 model: libhdf5 failed on it (\(failure.detail)); the file is damaged")
        } catch is DecodingError {
            throw KleverError(.malformedModel, file: name, "not a valid Keras H5 model: libhdf5 gave back what is not its attributes")
        }
    }

    /// The same of a file image in memory (the fuzz harness).
    package init(image: MappedFile) throws {
        self = try HDF5File.read(image: image, as: .h5) { try Self(root: $0.root, name: image.name) }
    }

    private init(root: HDF5Group, name: String) throws {
        guard let config = try root.stringAttribute("model_config", limit: Self.maxConfigBytes) else {
            let reason = try Self.whyNoConfig(root)
            throw KleverError(.malformedModel, file: name, "no model_config attribute: \(reason)")
        }
        self.config = config
        // Informational: a version or backend of another type does not matter.
        kerasVersion = try? root.stringAttribute("keras_version", limit: 1024)
        backend = try? root.stringAttribute("backend", limit: 1024)
    }

    /// What a file without `model_config` is instead.
    private static func whyNoConfig(_ root: HDF5Group) throws -> String {
        // Keras 2 `save_weights` writes the layer names at the root; Keras 3 writes
        // `layers/` and `vars/` groups.
        if root.hasAttribute("layer_names") || (root.hasGroup("vars") && root.hasGroup("layers")) {
            return "an H5 file of weights only (save_weights) has no architecture; save the model with model.save"
        }
        let attributes = try root.attributeNames(limit: 8)
        let members = try root.memberNames(limit: 8)
        let attributeList = attributes.isEmpty ? "none" : attributes.joined(separator: ", ")
        let memberList = members.isEmpty ? "none" : members.joined(separator: ", ")
        return "not a Keras model saved with model.save (root attributes: \(attributeList); root members: \(memberList))"
    }
}
