import Foundation
import ModelPackage
@testable import Extractor

/// One parser under fuzzing: how the input is named in errors and what is done with it.
struct FuzzTarget: Sendable {
    let name: String
    /// The name errors give the input (the file the parser would read in a package).
    let fileName: String
    let run: @Sendable (MappedFile) throws -> Void
    /// Errors the target may end with besides ``KleverError``: the typed errors of the
    /// low-level readers fuzzed on their own.
    var otherErrors: @Sendable (any Error) -> Bool = { _ in false }

    func accepts(_ error: any Error) -> Bool { error is KleverError || otherErrors(error) }

    static let all: [FuzzTarget] = protobufTargets + textTargets + archiveTargets + registryTargets

    /// The target `KLEVER_FUZZ_TARGET` names; the run stops when it names none, and
    /// `list` prints the targets' names instead.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["KLEVER_FUZZ_TARGET"] ?? ""
        if name == "list" {
            print(all.map(\.name).joined(separator: "\n"))
            exit(0)
        }
        guard let target = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("KLEVER_FUZZ_TARGET must name a target (\(names)), not '\(name)'\n".utf8))
            exit(2)
        }
        return target
    }()
}
