import CLibFuzzer
import Foundation
import Logging
import ModelPackage
@testable import Extractor

/// The harness: libFuzzer's driver runs every input through the target `build/fuzz`
/// names in `KLEVER_FUZZ_TARGET`. Any outcome but success or a ``KleverError`` (or the
/// target's own error type) ends the run as a crash, so an escaped error is a finding
/// like a trap.
@main
enum KleverFuzz {
    static func main() {
        // Readers warn through swift-log; a warning per input would drown libFuzzer's report.
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        _ = FuzzTarget.selected
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            KleverFuzz.run(UnsafeBufferPointer(start: data, count: size))
            return 0
        })
    }

    private static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let target = FuzzTarget.selected
        let input = MappedFile(bytes: data, name: target.fileName)
        do {
            try target.run(input)
        } catch where target.accepts(error) {
            return
        } catch {
            fatalError("\(target.name): an error that is not a KleverError escaped: \(type(of: error)): \(error)")
        }
    }
}
