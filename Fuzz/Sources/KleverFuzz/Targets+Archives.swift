import ModelPackage
@testable import Extractor

extension FuzzTarget {
    /// The binary containers: Keras' HDF5, TorchScript's zip and pickle, MXNet's NDArray list.
    static let archiveTargets: [FuzzTarget] = [
        // libhdf5 over a file image in memory, then the model_config it holds.
        FuzzTarget(name: "h5", fileName: "model/model.h5") { file in
            let stored = try KerasH5File(image: file)
            _ = try KerasH5Reader.signature(config: stored.config, kerasVersion: stored.kerasVersion, file: file.name, logger: KerasH5Reader.logger)
        },
        FuzzTarget(name: "torchscript-zip", fileName: "model/model.pt") { file in
            _ = try TorchScriptReader.signature(of: file, given: nil)
        },
        FuzzTarget(name: "pickle", fileName: "data.pkl", run: { file in
            _ = try PickleMachine.load(Array(file.bytes))
        }, otherErrors: { $0 is PickleError }),
        FuzzTarget(name: "mxnet-params", fileName: "model/model-0000.params") { file in
            _ = try MXNetParams(file).parameters
        },
    ]
}
