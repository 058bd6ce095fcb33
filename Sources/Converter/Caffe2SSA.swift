import ModelPackage
import Schemas

/// Caffe2 runs ops in place (`Relu` writing the blob it reads); ONNX graphs assign
/// each name once. This renames every write but a blob's last one to a fresh name and
/// points later reads at it, so external outputs keep their names.
enum Caffe2SSA {
    static func rename(_ net: Caffe2_NetDef, reserved: Set<String>, file: String) throws -> Caffe2_NetDef {
        var remaining: [String: Int] = [:]
        for op in net.op { for output in op.output { remaining[output, default: 0] += 1 } }
        var taken = reserved.union(net.op.flatMap { $0.input + $0.output })
        var current: [String: String] = [:]
        var renamed = net
        for (index, op) in net.op.enumerated() {
            var ssa = op
            ssa.input = op.input.map { current[$0] ?? $0 }
            ssa.output = try op.output.map { blob in
                remaining[blob, default: 1] -= 1
                let last = remaining[blob] == 0
                if last, !reserved.contains(blob) {
                    current[blob] = blob
                    return blob
                }
                if last, net.externalOutput.contains(blob) {
                    throw KleverError(.unsupportedModel, file: file, "'\(blob)' is both an input and an output the net overwrites")
                }
                var version = 1
                var name = "\(blob)__\(version)"
                while taken.contains(name) {
                    version += 1
                    name = "\(blob)__\(version)"
                }
                taken.insert(name)
                current[blob] = name
                return name
            }
            renamed.op[index] = ssa
        }
        return renamed
    }
}
