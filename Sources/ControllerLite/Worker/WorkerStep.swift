import ModelPackage

/// One stage of the worker, and the exit code its failures carry: the contract the
/// controller turns into "failed to pull model" and the other messages of ``JobOutcome``.
enum WorkerStep: String, CaseIterable {
    case login, pull, export, extract, convert, push

    /// A failure in this step, as the error the worker exits with. Whatever the lower
    /// layers called it, the stage decides the code; the detail is kept.
    func failure(_ error: any Error, subject: String) -> KleverError {
        guard let error = error as? KleverError else {
            return KleverError(code(for: nil), file: subject, "\(error)")
        }
        let code = code(for: error)
        return error.code == code ? error : KleverError(code, file: error.file, error.detail)
    }

    private func code(for error: KleverError?) -> KleverError.Code {
        // The package's own failures (10003) and results that cannot be written
        // (10004), as opposed to the failures of a store.
        let packageCodes = [KleverError.Code.malformedModel, .save].map(\.exitCode)
        let packageFailure = error.flatMap { packageCodes.contains($0.exitCode) ? $0.code : nil }
        switch self {
        case .login: return .login
        case .pull: return .pull
        case .export: return .unpack
        case .extract, .convert: return packageFailure ?? .unsupportedModel
        case .push:
            // ModelTransfer.push packs the package (layer and config: ormb's `save`)
            // before it sends anything; a package that cannot be packed is a save failure.
            return packageFailure == nil ? .push : .save
        }
    }
}
