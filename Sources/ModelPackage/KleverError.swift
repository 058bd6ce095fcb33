/// The one error type klever reports: what went wrong, with the file it concerns.
///
/// The command line prints it as `error: <file>: <detail>` and exits with
/// ``exitCode``, which follows the worker job's stages (10000 login ... 10005 push).
public struct KleverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; decides the exit code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidPackage, invalidOrmbfile, malformedModel, unsupportedModel
            case login, pull, unpack, save, push, usage
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The package folder is not laid out as its format requires.
        public static let invalidPackage = Code(.invalidPackage)
        /// `ormbfile.yaml` cannot be read or says something impossible.
        public static let invalidOrmbfile = Code(.invalidOrmbfile)
        /// A model file is truncated, corrupt or not of its declared format.
        public static let malformedModel = Code(.malformedModel)
        /// A well-formed model uses something klever cannot handle (an op, a layer, a type).
        public static let unsupportedModel = Code(.unsupportedModel)
        /// Registry credentials were refused.
        public static let login = Code(.login)
        /// A model could not be fetched from its store.
        public static let pull = Code(.pull)
        /// A fetched artifact could not be laid out on disk.
        public static let unpack = Code(.unpack)
        /// A result could not be written.
        public static let save = Code(.save)
        /// A model could not be sent to its store.
        public static let push = Code(.push)
        /// The command was called wrongly (a flag, a variable).
        public static let usage = Code(.usage)

        public var description: String { base.rawValue }

        /// The code whose ``description`` is `name`.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.init(base)
        }

        /// The process exit status for errors of this kind (the worker job's contract).
        public var exitCode: Int32 {
            switch base {
            case .login: 10000
            case .pull: 10001
            case .unpack: 10002
            case .invalidPackage, .invalidOrmbfile, .malformedModel, .unsupportedModel: 10003
            case .save: 10004
            case .push: 10005
            case .usage: 64
            }
        }
    }

    public let code: Code
    /// The file, folder or reference the error is about, as the user would name it.
    public let file: String
    /// What is wrong, in one line.
    public let detail: String

    public init(_ code: Code, file: String, _ detail: String) {
        self.code = code
        self.file = file
        self.detail = detail
    }

    public var exitCode: Int32 { code.exitCode }

    public var description: String { file.isEmpty ? detail : "\(file): \(detail)" }

    /// The same error about a different file (a reader names the file it was given,
    /// the caller knows the path the user gave).
    public func about(_ file: String) -> KleverError { KleverError(code, file: file, detail) }
}
