import Extractor
import Foundation
import Logging
import ModelPackage

/// Keras H5 -> TensorFlow SavedModel. Each layer call becomes the TensorFlow ops that
/// compute what Keras computes at inference (Dropout passes through, BatchNormalization
/// uses its moving statistics, a recurrent layer is a while loop over the time steps),
/// nested models inlined. The `serving_default` signature is keyed by the Keras input
/// and output layer names, as klever's H5 extraction names them. Weights become
/// resource variables, streamed from the H5 file into `variables/` one dataset at a
/// time, each in pieces, so memory stays small whatever the weights' size.
enum KerasToSavedModel: ModelConversion {
    static let source = Format.h5
    static let target = Format.savedModel

    static func convert(_ files: ModelFiles, inputs: [TensorSpec], into folder: URL, logger: Logger) throws -> [TensorSpec] {
        let url = files.url(files.primary)
        let file = files.display(files.primary)
        let stored = try KerasH5File(url, name: file)
        let model = try KerasModel(parsing: stored.config, kerasVersion: stored.kerasVersion, file: file)
        return try HDF5File.read(url, name: file, as: .h5) { h5 in
            let weights = try KerasWeights(h5.root, model: model)
            var translation = KerasTranslation(model: model, weights: weights, given: inputs, file: file, folder: folder)
            try translation.translate()
            try translation.write(from: h5.root)
            return translation.inputs
        }
    }
}
