import ModelPackage
import Schemas

/// Legacy V1 layers (`layers { type: CONVOLUTION }`), upgraded as Caffe's
/// UpgradeV1LayerParameter does: the enum becomes the type name, the params carry over.
enum CaffeV1Upgrade {
    static func layer(_ v1: Caffe_V1LayerParameter, file: String) throws -> Caffe_LayerParameter {
        guard let type = typeName(v1.type) else {
            throw KleverError(.unsupportedModel, file: file, "legacy layer '\(v1.name)' has type \(v1.type.rawValue), which Caffe cannot upgrade")
        }
        var layer = Caffe_LayerParameter()
        layer.name = v1.name
        layer.type = type
        layer.bottom = v1.bottom
        layer.top = v1.top
        layer.include = v1.include
        layer.exclude = v1.exclude
        layer.blobs = v1.blobs
        if v1.hasArgmaxParam { layer.argmaxParam = v1.argmaxParam }
        if v1.hasConcatParam { layer.concatParam = v1.concatParam }
        if v1.hasConvolutionParam { layer.convolutionParam = v1.convolutionParam }
        if v1.hasDropoutParam { layer.dropoutParam = v1.dropoutParam }
        if v1.hasEltwiseParam { layer.eltwiseParam = v1.eltwiseParam }
        if v1.hasExpParam { layer.expParam = v1.expParam }
        if v1.hasInnerProductParam { layer.innerProductParam = v1.innerProductParam }
        if v1.hasLrnParam { layer.lrnParam = v1.lrnParam }
        if v1.hasPoolingParam { layer.poolingParam = v1.poolingParam }
        if v1.hasPowerParam { layer.powerParam = v1.powerParam }
        if v1.hasReluParam { layer.reluParam = v1.reluParam }
        if v1.hasSigmoidParam { layer.sigmoidParam = v1.sigmoidParam }
        if v1.hasSoftmaxParam { layer.softmaxParam = v1.softmaxParam }
        if v1.hasSliceParam { layer.sliceParam = v1.sliceParam }
        if v1.hasTanhParam { layer.tanhParam = v1.tanhParam }
        if v1.hasThresholdParam { layer.thresholdParam = v1.thresholdParam }
        return layer
    }

    /// Caffe's UpgradeV1LayerType table.
    private static func typeName(_ type: Caffe_V1LayerParameter.LayerType) -> String? {
        switch type {
        case .absval: "AbsVal"
        case .accuracy: "Accuracy"
        case .argmax: "ArgMax"
        case .bnll: "BNLL"
        case .concat: "Concat"
        case .contrastiveLoss: "ContrastiveLoss"
        case .convolution: "Convolution"
        case .deconvolution: "Deconvolution"
        case .data: "Data"
        case .dropout: "Dropout"
        case .dummyData: "DummyData"
        case .euclideanLoss: "EuclideanLoss"
        case .eltwise: "Eltwise"
        case .exp: "Exp"
        case .flatten: "Flatten"
        case .hdf5Data: "HDF5Data"
        case .hdf5Output: "HDF5Output"
        case .hingeLoss: "HingeLoss"
        case .im2Col: "Im2col"
        case .imageData: "ImageData"
        case .infogainLoss: "InfogainLoss"
        case .innerProduct: "InnerProduct"
        case .lrn: "LRN"
        case .memoryData: "MemoryData"
        case .multinomialLogisticLoss: "MultinomialLogisticLoss"
        case .mvn: "MVN"
        case .pooling: "Pooling"
        case .power: "Power"
        case .relu: "ReLU"
        case .sigmoid: "Sigmoid"
        case .sigmoidCrossEntropyLoss: "SigmoidCrossEntropyLoss"
        case .silence: "Silence"
        case .softmax: "Softmax"
        case .softmaxLoss: "SoftmaxWithLoss"
        case .split: "Split"
        case .slice: "Slice"
        case .tanh: "TanH"
        case .windowData: "WindowData"
        case .threshold: "Threshold"
        case .none: nil
        }
    }
}
