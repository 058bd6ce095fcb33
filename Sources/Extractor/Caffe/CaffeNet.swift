import ModelPackage
import Schemas

/// A Caffe net as Caffe builds it for inference: the TEST phase's layers, with the
/// legacy forms upgraded the way Caffe upgrades them (V1 `layers`, `input` fields).
package struct CaffeNet {
    package struct Input {
        package let name: String
        /// nil when the net declares the input without a shape.
        package let shape: [Int]?
    }

    package let name: String
    /// The inputs declared by `input` fields or Input layers, in order.
    package let inputs: [Input]
    /// The layers in order, legacy fields upgraded and TEST-excluded ones left out.
    /// Old-style `input` fields become one `Input` layer here, as in Caffe.
    package let layers: [Caffe_LayerParameter]

    package init(_ net: Caffe_NetParameter, file: String) throws {
        name = net.name
        var layers = net.layer
        if !net.layers.isEmpty {
            guard layers.isEmpty else {
                throw KleverError(.malformedModel, file: file, "uses both `layer` and the legacy `layers` fields")
            }
            layers = try net.layers.map { try CaffeV1Upgrade.layer($0, file: file) }
        }
        if !net.input.isEmpty {
            layers.insert(try Self.inputLayer(net, file: file), at: 0)
        }
        let state = CaffeNetState.test
        self.layers = layers.filter { state.includes($0) }
        try Self.checkBottoms(self.layers, file: file)
        inputs = self.layers.filter { $0.type == "Input" }.flatMap { layer in
            layer.top.enumerated().map { index, top in
                let shapes = layer.inputParam.shape
                let shape = shapes.count == 1 ? shapes[0] : (index < shapes.count ? shapes[index] : nil)
                return Input(name: top, shape: shape.flatMap { Shapes.bounded($0.dim.map(CaffeShapes.dim)) })
            }
        }
    }

    /// Caffe's net outputs: blobs still available after every layer ran (a layer's
    /// bottoms are consumed, its tops become available; in-place layers renew theirs),
    /// in byte order, as Caffe keeps them in a std::set.
    package var outputs: [String] {
        var available: Set<String> = []
        for layer in layers {
            available.subtract(layer.bottom)
            available.formUnion(layer.top)
        }
        return available.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Every bottom must be a blob an earlier layer produced, as Caffe requires.
    private static func checkBottoms(_ layers: [Caffe_LayerParameter], file: String) throws {
        var produced: Set<String> = []
        for layer in layers {
            if let missing = layer.bottom.first(where: { !produced.contains($0) }) {
                throw KleverError(.malformedModel, file: file, "layer '\(layer.name)' reads '\(missing)', which no earlier layer or input produces")
            }
            produced.formUnion(layer.top)
        }
    }

    /// `input: "data"` with `input_shape { dim: ... }` or four `input_dim`s per input,
    /// as one Input layer (Caffe's UpgradeNetInput).
    private static func inputLayer(_ net: Caffe_NetParameter, file: String) throws -> Caffe_LayerParameter {
        var layer = Caffe_LayerParameter()
        layer.name = "input"
        layer.type = "Input"
        layer.top = net.input
        if !net.inputShape.isEmpty {
            guard net.inputShape.count == net.input.count || net.inputShape.count == 1 else {
                throw KleverError(.malformedModel, file: file, "\(net.input.count) inputs but \(net.inputShape.count) input_shape entries")
            }
            layer.inputParam.shape = net.inputShape
        } else if !net.inputDim.isEmpty {
            guard net.inputDim.count == 4 * net.input.count else {
                throw KleverError(.malformedModel, file: file, "\(net.input.count) inputs need \(4 * net.input.count) input_dim values, found \(net.inputDim.count)")
            }
            layer.inputParam.shape = stride(from: 0, to: net.inputDim.count, by: 4).map { start in
                Caffe_BlobShape.with { $0.dim = net.inputDim[start..<start + 4].map(Int64.init) }
            }
        }
        return layer
    }
}

/// Caffe's NetState for inference (phase TEST, level 0, no stages) and its rule test.
struct CaffeNetState {
    let phase: Caffe_Phase
    let level: Int32
    let stages: Set<String>

    static let test = CaffeNetState(phase: .test, level: 0, stages: [])

    /// Caffe's StateMeetsRule over a layer's include and exclude rules.
    func includes(_ layer: Caffe_LayerParameter) -> Bool {
        if !layer.include.isEmpty { return layer.include.contains(where: meets) }
        return !layer.exclude.contains(where: meets)
    }

    private func meets(_ rule: Caffe_NetStateRule) -> Bool {
        if rule.hasPhase, rule.phase != phase { return false }
        if rule.hasMinLevel, level < rule.minLevel { return false }
        if rule.hasMaxLevel, level > rule.maxLevel { return false }
        if !rule.stage.allSatisfy(stages.contains) { return false }
        if rule.notStage.contains(where: stages.contains) { return false }
        return true
    }
}
