import ModelPackage

/// TorchScript (`torch.jit.save`): a zip whose `data.pkl` pickles the module tree and
/// whose `code/` holds the modules' TorchScript source. Inputs are `forward`'s
/// parameters after the module itself, typed as the code writes them (`Tensor`,
/// `Optional[Tensor]`) with size `[]`; outputs are the return annotation's values
/// (`output_0`, ...); layers count the leaf submodules by type. Nothing is executed.
///
/// A side (inputs, outputs) the user's signature lists is kept as written: those name
/// the tensors Triton will serve, which the model does not know.
enum TorchScriptReader: FormatReader {
    static let format = Format.torchScript

    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature {
        try signature(of: MappedFile(files.url(files.primary), name: files.display(files.primary)), given: user)
    }

    /// The signature of an archive's bytes.
    static func signature(of file: MappedFile, given user: Signature?) throws -> Signature {
        let name = file.name
        let archive = try TorchScriptArchive(file)
        let root = try rootModule(of: archive, file: name)
        let code = TorchScriptCode(sources: archive.code)
        var signature = Signature(
            inputs: user?.inputs ?? [], outputs: user?.outputs ?? [],
            layers: ModuleTree.leafCounts(root: root, isModule: code.isModule))
        if signature.inputs.isEmpty || signature.outputs.isEmpty {
            let forward = try forward(of: root, in: code, file: name)
            if signature.inputs.isEmpty {
                // TorchScript types an unannotated parameter as Tensor.
                signature.inputs = forward.parameters.dropFirst().map {
                    TensorSpec(name: $0.name, size: [], dType: $0.type ?? "Tensor")
                }
            }
            if signature.outputs.isEmpty {
                signature.outputs = forward.returnElements.enumerated().map {
                    TensorSpec(name: "output_\($0.offset)", size: [], dType: $0.element)
                }
            }
        }
        return signature
    }

    /// The object `data.pkl` holds: the root module.
    private static func rootModule(of archive: TorchScriptArchive, file: String) throws -> PickleObject {
        let value: PickleValue
        do {
            value = try PickleMachine.load(archive.dataPickle)
        } catch {
            throw KleverError(.malformedModel, file: file, "data.pkl: \(error)")
        }
        guard let root = value.object, root.className.hasPrefix("__torch__.") else {
            throw KleverError(
                .malformedModel, file: file,
                "data.pkl holds a \(value.kind), not a TorchScript module (a torch.save checkpoint? save the model with torch.jit.save)")
        }
        return root
    }

    /// The root class's `forward` header.
    private static func forward(of root: PickleObject, in code: TorchScriptCode, file: String) throws -> PythonDef {
        let className = root.className
        guard let definition = code.definition(of: className) else {
            throw KleverError(
                .malformedModel, file: file,
                "\(TorchScriptCode.file(defining: className)) does not define \(className), the root module's class")
        }
        guard let text = definition.forwardText else {
            throw KleverError(.malformedModel, file: file, "\(definition.file): \(className), the root module's class, has no forward method")
        }
        do {
            return try PythonDef(parsing: text)
        } catch {
            throw KleverError(.malformedModel, file: file, "\(definition.file): cannot read the header of \(className).forward: \(error.detail)")
        }
    }
}
