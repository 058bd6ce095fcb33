import Logging
import ModelPackage

/// Shape inference over a Keras model config, call by call, as Keras rebuilds the model
/// when it loads it: inputs from the InputLayers, each layer call's outputs from its
/// inputs by ``KerasLayerRules``, a nested model by inference over its own layers.
///
/// A layer class without a rule gives outputs of unknown rank and one warning per class,
/// not an error: the rest of the model still has its shapes.
struct KerasInference: KerasModelEvaluator {
    typealias Value = InferredTensor
    typealias Failure = KerasConfigError

    /// A model's inputs and outputs.
    typealias Ports = KerasPorts<InferredTensor>

    /// Layer classes without a rule, with their layers, in the order met.
    private var unruled: [(className: String, layers: [String])] = []

    /// The signature tensors of a model.
    static func ports(of model: KerasModel, logger: Logger) throws(KerasConfigError) -> Ports {
        var inference = KerasInference()
        let ports = try inference.evaluate(model, feeding: nil)
        for (className, layers) in inference.unruled {
            let named = layers.prefix(5).joined(separator: ", ") + (layers.count > 5 ? " and \(layers.count - 5) more" : "")
            logger.warning("no shape rule for Keras layer class \(className); the outputs of \(named) have unknown dims")
        }
        return ports
    }

    var missing: InferredTensor { .unknown }

    static func failure(_ error: KerasConfigError) -> KerasConfigError { error }

    /// A model input as a caller feeds it: the caller's shape (Keras runs the inner
    /// graph on it; an unknown one stays unknown, as after an unknown layer), cast to
    /// the input's dtype (Keras converts what a model is called on).
    func input(name: String, dType: DType?, shape: [Int]?, fed: InferredTensor?) -> InferredTensor {
        InferredTensor(dType: dType, shape: fed.map(\.shape) ?? shape)
    }

    /// The outputs of one call of a layer.
    mutating func outputs(of layer: KerasLayer, inputs: [InferredTensor]) throws(KerasConfigError) -> [InferredTensor] {
        if let model = layer.model {
            do throws(KerasConfigError) {
                return try evaluate(model, feeding: inputs).outputs.map(\.value)
            } catch {
                throw KerasConfigError("in model \(layer.name): \(error.detail)")
            }
        }
        let dType = KerasLayerRules.outputDType(of: layer, inputs: inputs)
        guard let shapes = KerasLayerRules.shapes(of: layer, inputs: inputs.map(\.shape)) else {
            if let known = unruled.firstIndex(where: { $0.className == layer.className }) {
                unruled[known].layers.append(layer.name)
            } else {
                unruled.append((layer.className, [layer.name]))
            }
            return [InferredTensor(dType: dType, shape: nil)]
        }
        return shapes.map { InferredTensor(dType: dType, shape: $0) }
    }
}
