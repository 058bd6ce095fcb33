/// The module tree `data.pkl` describes: each module is an object of a `__torch__.`
/// class the code defines as a `Module`, its submodules the attributes (BUILD state
/// entries) holding other module objects. `ModuleList`, `ModuleDict` and `Sequential`
/// are modules whose attributes are named `0`, `1`, ... or by key.
enum ModuleTree {
    /// Counts the leaf submodules (modules without submodules; the root excluded) by
    /// type: the last component of the class name, as `original_name` gives it
    /// (`__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear` -> `Linear`).
    /// Each module object counts once, however many attributes hold it (as
    /// `named_modules()` visits it once), which also keeps the walk linear.
    static func leafCounts(root: PickleObject, isModule: (String) -> Bool) -> [String: Int] {
        func submodules(of module: PickleObject) -> [PickleObject] {
            guard case .dict(let attributes)? = module.state else { return [] }
            return attributes.compactMap { $0.value.object }.filter { isModule($0.className) }
        }
        var counts: [String: Int] = [:]
        var visited: Set<Int> = [root.id]
        var pending = submodules(of: root)
        while let module = pending.popLast() {
            guard visited.insert(module.id).inserted else { continue }
            let children = submodules(of: module)
            if children.isEmpty {
                counts[typeName(module.className), default: 0] += 1
            } else {
                pending.append(contentsOf: children)
            }
        }
        return counts
    }

    /// The last component of a qualified class name.
    private static func typeName(_ className: String) -> String {
        String(className.split(separator: ".").last ?? Substring(className))
    }
}
