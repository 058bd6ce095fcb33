import Foundation
import Logging
import ModelPackage

/// MXNet: `*symbol.json` holds the graph, `*.params` the weights (an NDArray list).
/// Inputs are the `null` nodes the params file does not hold, shaped by the user's
/// signature (MXNet stores no input shapes), else by what inference implies (a
/// variable's `__shape__`, a loss op's label); outputs are the heads, named as
/// `list_outputs()` names them, with shapes inferred op by op; layers count the ops.
package enum MXNetReader: FormatReader {
    package static let format = Format.mxnetParams
    package static let symbolFile = RequiredFile("*symbol.json")
    package static let paramsFile = RequiredFile("*.params")

    private static let logger = Logger(label: "klever.extract.mxnet")

    package static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        let symbol = try MXNetSymbol(MappedFile(files.url(symbolFile), name: files.display(symbolFile)))
        let params = try MXNetParams(MappedFile(files.url(paramsFile), name: files.display(paramsFile)))
        let (signature, unknownOps) = signature(of: symbol, parameters: params.parameters, user: user)
        if !unknownOps.isEmpty {
            logger.warning("no shape rule for these MXNet ops: the outputs computed from them have unknown shapes", metadata: [
                "file": "\(files.display(symbolFile))", "ops": "\(unknownOps.sorted().joined(separator: ", "))",
            ])
        }
        return signature
    }

    /// The signature of a decoded model, and the ops that had no shape rule.
    static func signature(
        of symbol: MXNetSymbol, parameters: [String: InferredTensor], user: Signature?
    ) -> (Signature, unknownOps: Set<String>) {
        let reachable = symbol.reachable
        var layers: [String: Int] = [:]
        for (index, node) in symbol.nodes.enumerated() where reachable[index] && !node.isVariable {
            layers[node.op, default: 0] += 1
        }
        let binding = MXNetBinding(symbol, parameters: parameters, user: user)
        let signature = Signature(inputs: binding.inputs.map(\.spec), outputs: binding.outputs, layers: layers)
        return (signature.filled(from: user), binding.inference.unknownOps)
    }
}
