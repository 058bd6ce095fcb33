import ModelPackage

/// The records of a TorchScript archive (`torch.jit.save`) that describe the model:
/// `data.pkl`, the module tree with its attributes, and the Python sources under `code/`.
/// The tensor payloads under `data/` are never read.
///
/// Every record lies in one top folder, named after the saved file's stem (`model/`),
/// `archive/` when saved to a buffer, or anything else; as PyTorch's own reader does,
/// the folder of the archive's first entry is taken.
struct TorchScriptArchive {
    let dataPickle: [UInt8]
    /// The sources by their path under `code/` (`__torch__/torch/nn/modules/conv.py`).
    let code: [String: String]

    init(_ file: MappedFile) throws {
        var folder: String?
        let zip: ZipArchive
        do {
            zip = try ZipArchive.read(file) { entry in
                let top = folder ?? String(entry.path.prefix { $0 != "/" })
                folder = top
                return entry.path == top + "/data.pkl" || (entry.path.hasPrefix(top + "/code/") && entry.path.hasSuffix(".py"))
            }
        } catch {
            throw file.malformed(.torchScript, error.detail)
        }
        guard let folder, let dataPickle = zip.contents[folder + "/data.pkl"] else {
            throw KleverError(.malformedModel, file: file.name, Self.missingDataPickle(zip))
        }
        let codePrefix = folder + "/code/"
        var code: [String: String] = [:]
        for (path, bytes) in zip.contents where path.hasPrefix(codePrefix) {
            code[String(path.dropFirst(codePrefix.count))] = String(decoding: bytes, as: UTF8.self)
        }
        guard !code.isEmpty else {
            throw KleverError(
                .malformedModel, file: file.name,
                "\(folder)/data.pkl but no code/: a torch.save checkpoint, not a TorchScript module (save the model with torch.jit.save)")
        }
        self.dataPickle = dataPickle
        self.code = code
    }

    /// Says that data.pkl is missing, with what the zip holds instead.
    private static func missingDataPickle(_ zip: ZipArchive) -> String {
        if zip.entries.contains(where: { $0.path.hasSuffix("model.json") }) {
            return "no data.pkl: a TorchScript archive from PyTorch before 1.4 (model.json), which klever does not read"
        }
        var holds = zip.entries.prefix(3).map(\.path).joined(separator: ", ")
        if zip.entries.isEmpty { holds = "nothing" } else if zip.entries.count > 3 { holds += ", ..." }
        return "no data.pkl in the zip's top folder (a TorchScript archive holds <folder>/data.pkl and <folder>/code/; this one holds \(holds))"
    }
}
