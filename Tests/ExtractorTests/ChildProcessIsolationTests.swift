import Foundation
import ModelPackage
import Testing
@testable import Extractor

#if canImport(Glibc)
import Glibc
#endif

/// A reader run in a child process: its result and its KleverErrors come back as they
/// are, its crash or hang becomes an error of the parent.
@Suite(.serialized) struct ChildProcessIsolationTests {
    @Test func theChildsBytesComeBack() throws {
        #expect(try ChildProcessIsolation.run(timeoutSeconds: 10) { Array(0..<200_000).map { UInt8(truncatingIfNeeded: $0) } }.count == 200_000)
    }

    @Test func aKleverErrorComesBackWhole() {
        let error = #expect(throws: KleverError.self) {
            try ChildProcessIsolation.run(timeoutSeconds: 10) { throw KleverError(.unsupportedModel, file: "model/model.h5", "a layer") }
        }
        #expect(error == KleverError(.unsupportedModel, file: "model/model.h5", "a layer"))
    }

    @Test func aCrashIsAFailure() {
        let failure = #expect(throws: ChildProcessIsolation.Failure.self) {
            try ChildProcessIsolation.run(timeoutSeconds: 10) {
                raise(SIGSEGV)
                return []
            }
        }
        #expect(failure?.detail == "it crashed (signal 11)")
    }

    @Test func aHangIsKilledAtTheTimeout() {
        let started = ContinuousClock.now
        let failure = #expect(throws: ChildProcessIsolation.Failure.self) {
            try ChildProcessIsolation.run(timeoutSeconds: 1) {
                while true { pause() }
            }
        }
        #expect(failure?.detail == "no answer within 1 s")
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
