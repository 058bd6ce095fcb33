import ModelPackage
import Schemas

/// Caffe2 NetDef: inputs are predict_net's external inputs that init_net does not
/// fill, and those it fills that the user's signature names as inputs (Caffe's
/// translator put a ConstantFill for each input into init_net); their shapes come
/// from the user's signature, NetDef holds none. Outputs are the external outputs,
/// with shapes inferred through the ops; layers count predict_net's ops.
package enum NetDefReader: FormatReader {
    package static let format = Format.netDef
    package static let initNet = RequiredFile("init_net.pb")
    package static let predictNet = RequiredFile("predict_net.pb")

    package static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let initFile = try MappedFile(files.url(initNet), name: files.display(initNet))
        let predictFile = try MappedFile(files.url(predictNet), name: files.display(predictNet))
        return try signature(initFile: initFile, predictFile: predictFile, user: user)
    }

    /// The signature of the two nets' bytes.
    package static func signature(initFile: MappedFile, predictFile: MappedFile, user: Signature?) throws -> Signature {
        let initialization = try readInitNet(initFile)
        let prediction = try predictFile.decodeMessage(Caffe2_NetDef.self, of: .netDef, skipping: nil)
        guard !prediction.op.isEmpty else { throw predictFile.malformed(.netDef, "the net has no operators") }
        return signature(initNet: initialization, predictNet: prediction, user: user)
    }

    /// init_net without its fills' `values`; an init_net that fills nothing (a net of
    /// inputs only) is an empty NetDef, which serializes to zero bytes.
    package static func readInitNet(_ file: MappedFile) throws -> Caffe2_NetDef {
        guard file.count > 0 else { return Caffe2_NetDef() }
        return try file.decodeMessage(Caffe2_NetDef.self, of: .netDef, skipping: NetDefSkeleton.initNet)
    }

    package static func signature(initNet: Caffe2_NetDef, predictNet: Caffe2_NetDef, user: Signature?) -> Signature {
        let named = Set(user?.inputs.map(\.name) ?? [])
        let filled = Set(initNet.op.flatMap(\.output)).subtracting(named)
        let inputs = predictNet.externalInput.filter { !filled.contains($0) }.map { name in
            let given = user?.inputs.first(where: { $0.name == name })
            return TensorSpec(name: name, size: given?.size ?? TensorSpec.unknownRank, dType: given?.dType ?? DType.float32.rawValue)
        }
        var blobs = Caffe2ShapeInference.weights(of: initNet)
        for input in inputs { blobs[input.name] = InferredTensor(dType: input.numpyType, shape: input.size == TensorSpec.unknownRank ? nil : input.size) }
        blobs = Caffe2ShapeInference.run(predictNet, blobs: blobs)
        var layers: [String: Int] = [:]
        for op in predictNet.op { layers[op.type, default: 0] += 1 }
        let outputs = predictNet.externalOutput.map { name in
            let blob = blobs[name] ?? .unknown
            return TensorSpec(name: name, shape: blob.shape, dType: blob.dType)
        }
        return Signature(inputs: inputs, outputs: outputs, layers: layers).filled(from: user)
    }
}

/// What of a NetDef is payload: the `values` argument of the fill ops in init_net.
enum NetDefSkeleton {
    static let initNet: SkeletonRules = {
        let valuesName = Array("values".utf8)
        let op = SkeletonRules([5: .dropIf { argument in
            try argument.firstBytes(of: 1).map { $0.elementsEqual(valuesName) } ?? false
        }])
        return SkeletonRules([2: .descend(op)])
    }()
}
