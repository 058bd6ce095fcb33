import ModelPackage
@testable import Extractor

extension FuzzTarget {
    /// The text formats: Caffe prototxt, MXNet symbol JSON, PMML, ormbfile.yaml.
    static let textTargets: [FuzzTarget] = [
        FuzzTarget(name: "caffe-text", fileName: "model/model.prototxt") { file in
            _ = CaffeReader.signature(of: try CaffeNet(CaffeReader.readPrototxt(file).net, file: file.name))
        },
        FuzzTarget(name: "mxnet-symbol", fileName: "model/model-symbol.json") { file in
            _ = MXNetReader.signature(of: try MXNetSymbol(file), parameters: [:], user: nil)
        },
        FuzzTarget(name: "pmml", fileName: "model/model.pmml") { file in
            _ = try PMMLReader.signature(of: PMMLDocument(file), file: file.name)
        },
        FuzzTarget(name: "ormbfile", fileName: Ormbfile.fileName) { file in
            // As Ormbfile(contentsOf:) reads the file: UTF-8 text or nothing.
            guard let text = String(validating: file.bytes, as: UTF8.self) else { return }
            let ormbfile = try Ormbfile(yaml: text, file: file.name)
            _ = try ormbfile.format()
            _ = try ormbfile.signature()
            _ = try ormbfile.yaml()
        },
    ]
}
