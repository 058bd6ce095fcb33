/// One input or output of a model, as `ormbfile.yaml` describes it.
public struct TensorSpec: Codable, Hashable, Sendable {
    /// The tensor's name (for SavedModel, the signature key).
    public var name: String
    /// Dimensions; -1 for an unknown one, `[]` for a scalar; nil when not known at all.
    public var size: [Int]?
    /// A numpy dtype name, or the model's own type name where it has no numpy one
    /// (PMML `double`, TorchScript `Optional[Tensor]`).
    public var dType: String?
    /// The graph tensor behind a SavedModel signature key (`TensorInfo.name`).
    public var tensorName: String?
    /// PMML's optype (`continuous`, `categorical`, `ordinal`).
    public var opType: String?
    /// PMML's categorical values.
    public var values: [String]?

    public init(
        name: String, size: [Int]? = nil, dType: String? = nil,
        tensorName: String? = nil, opType: String? = nil, values: [String]? = nil
    ) {
        self.name = name
        self.size = size
        self.dType = dType
        self.tensorName = tensorName
        self.opType = opType
        self.values = values
    }

    public init(name: String, size: [Int]?, dType: DType?) {
        self.init(name: name, size: size, dType: dType?.rawValue)
    }

    /// How `size` says that not even the rank is known (as the goldens of the
    /// frameworks' loaders write it).
    public static let unknownRank = [-1]

    /// A tensor whose rank may be unknown (`shape` nil), written as ``unknownRank``.
    public init(name: String, shape: [Int]?, dType: DType?) {
        self.init(name: name, size: shape ?? Self.unknownRank, dType: dType?.rawValue)
    }

    /// The numpy type when `dType` names one.
    public var numpyType: DType? { dType.flatMap(DType.init(rawValue:)) }

    /// The most dims a tensor has (TensorFlow's limit, far beyond any model's).
    public static let maxRank = 254
    /// The largest dim a tensor has: 2^53, beyond any memory, and where doubles (JSON
    /// numbers) still count exactly.
    public static let maxDim = 1 << 53

    /// A size as a user or a file writes it, within what a tensor can have: a dim that
    /// is negative or beyond ``maxDim`` is unknown (-1), and more than ``maxRank`` dims
    /// are no rank at all (nil), so that hostile numbers never reach shape arithmetic.
    public static func bounded(size: [Int]) -> [Int]? {
        size.count <= maxRank ? size.map { $0 >= 0 && $0 <= maxDim ? $0 : -1 } : nil
    }
}

/// What a model takes, what it gives, and what it is built of.
public struct Signature: Codable, Hashable, Sendable {
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]
    /// Layer (op) type -> how many the model has.
    public var layers: [String: Int]

    public init(inputs: [TensorSpec] = [], outputs: [TensorSpec] = [], layers: [String: Int] = [:]) {
        self.inputs = inputs
        self.outputs = outputs
        self.layers = layers
    }

    /// All layers counted together.
    public var layerCount: Int { layers.values.reduce(0, +) }
}

extension Signature {
    /// The model's own signature with the user's knowledge added: a -1 dim of a tensor the
    /// user also describes (same name, same rank) takes the user's value, and a missing
    /// dtype takes the user's. Names and order stay the model's.
    public func filled(from user: Signature?) -> Signature {
        guard let user else { return self }
        var result = self
        result.inputs = inputs.map { $0.filled(from: user.inputs) }
        result.outputs = outputs.map { $0.filled(from: user.outputs) }
        return result
    }
}

extension TensorSpec {
    fileprivate func filled(from userTensors: [TensorSpec]) -> TensorSpec {
        guard let user = userTensors.first(where: { $0.name == name }) else { return self }
        var result = self
        if let own = size, let given = user.size, own.count == given.count {
            result.size = zip(own, given).map { $0 < 0 ? $1 : $0 }
        } else if size == nil || size == Self.unknownRank {
            result.size = user.size ?? size
        }
        if result.dType == nil { result.dType = user.dType }
        return result
    }
}
