import Foundation
import Logging
import ModelPackage

/// Keras H5 (`model.save("model.h5")` of Keras 2, tf.keras and Keras 3): the root
/// attribute `model_config` holds the architecture as JSON. Inputs are the model's
/// InputLayers, outputs its `output_layers` with shapes inferred layer by layer, tensors
/// named after their layers; layers count the model's own layers by class. The weights
/// (`model_weights`) are never read.
package enum KerasH5Reader: FormatReader {
    static let format = Format.h5

    /// Where layer classes without a shape rule are reported (warnings), and what a
    /// file says of its Keras (debug).
    static let logger = Logger(label: "klever.extract.h5")

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let file = files.display(files.primary)
        let stored = try KerasH5File(files.url(files.primary), name: file)
        logger.debug("read Keras H5", metadata: [
            "file": "\(file)", "keras_version": "\(stored.kerasVersion ?? "-")", "backend": "\(stored.backend ?? "-")",
        ])
        return try signature(config: stored.config, kerasVersion: stored.kerasVersion, file: file, logger: logger).filled(from: user)
    }

    /// The signature a `model_config` describes; `file` names the model in errors.
    static func signature(config text: String, kerasVersion: String?, file: String, logger: Logger) throws -> Signature {
        let model = try KerasModel(parsing: text, kerasVersion: kerasVersion, file: file)
        do throws(KerasConfigError) {
            var logger = logger
            logger[metadataKey: "file"] = "\(file)"
            let ports = try KerasInference.ports(of: model, logger: logger)
            let outputNames = uniqueNames(ports.outputs.map(\.name))
            return Signature(
                inputs: ports.inputs.map { TensorSpec(name: $0.name, shape: $0.value.shape, dType: $0.value.dType) },
                outputs: zip(outputNames, ports.outputs).map { TensorSpec(name: $0, shape: $1.value.shape, dType: $1.value.dType) },
                layers: layerCounts(model)
            )
        } catch {
            throw KleverError(.malformedModel, file: file, "model_config: \(error.detail)")
        }
    }

    /// `model.layers` by class: a Sequential model's list leaves out its InputLayer, a
    /// Functional one's keeps its InputLayers; a nested model is one layer.
    private static func layerCounts(_ model: KerasModel) -> [String: Int] {
        var counts: [String: Int] = [:]
        for layer in model.layers where !(model.isSequential && layer.className == "InputLayer") {
            counts[layer.className, default: 0] += 1
        }
        return counts
    }

    /// Output names made unique as tf.keras makes them (`_set_output_names`): a layer
    /// giving several outputs (an LSTM's states) is `lstm`, `lstm_1`, `lstm_2`.
    package static func uniqueNames(_ names: [String]) -> [String] {
        var used = Set<String>()
        var suffixes: [String: Int] = [:]
        return names.map { name in
            var proposal = name
            while used.contains(proposal) {
                let suffix = suffixes[name, default: 1]
                proposal = "\(name)_\(suffix)"
                suffixes[name] = suffix + 1
            }
            used.insert(proposal)
            return proposal
        }
    }
}
