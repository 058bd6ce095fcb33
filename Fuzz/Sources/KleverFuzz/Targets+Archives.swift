import ModelPackage
@testable import Extractor

extension FuzzTarget {
    /// The binary containers: TorchScript's zip and pickle, MXNet's NDArray list.
    static let archiveTargets: [FuzzTarget] = [
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
