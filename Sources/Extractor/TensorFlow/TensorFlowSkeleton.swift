/// What of a TensorFlow graph is payload: the values of constant tensors.
///
/// Small constants (shapes, axes, paddings) stay, because shape inference reads them;
/// anything longer than `keptConstantBytes` is weights and is left out.
enum TensorFlowSkeleton {
    static let keptConstantBytes = 1024

    static let graph: SkeletonRules = {
        let limit = SkeletonRules.Rule.dropIfLonger(than: keptConstantBytes)
        // TensorProto: tensor_content and the packed *_val fields; string_val, complex,
        // resource and variant values are never needed.
        let tensor = SkeletonRules([
            4: limit, 13: limit, 5: limit, 6: limit, 7: limit, 10: limit, 11: limit, 16: limit, 17: limit,
            8: .drop, 9: .drop, 12: .drop, 14: .drop, 15: .drop,
        ])
        let list = SkeletonRules([8: .descend(tensor)])
        let attrValue = SkeletonRules([8: .descend(tensor), 1: .descend(list)])
        let attrEntry = SkeletonRules([2: .descend(attrValue)])
        let node = SkeletonRules([5: .descend(attrEntry)])
        let function = SkeletonRules([3: .descend(node)])
        let library = SkeletonRules([1: .descend(function)])
        return SkeletonRules([1: .descend(node), 2: .descend(library)])
    }()

    static let savedModel: SkeletonRules = {
        // MetaGraphDef: the graph; the object graph and collections are not read.
        let metaGraph = SkeletonRules([2: .descend(graph), 4: .drop, 7: .drop])
        return SkeletonRules([2: .descend(metaGraph)])
    }()
}
