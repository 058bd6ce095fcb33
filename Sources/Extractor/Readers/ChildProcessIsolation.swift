import Foundation
import ModelPackage

#if canImport(Glibc)
import Glibc
#endif

/// Runs a reader over a C library that trusts its input (libhdf5 1.10 decodes object
/// headers without bounds) in a forked child process: the library crashing or hanging
/// on a hostile file becomes an error instead of the end of klever.
///
/// Only the klever executable turns it on (``enable()``), because a fork copies just the
/// calling thread: safe in a command doing one thing, not in a test runner or a server
/// whose other threads may hold locks the child would need.
package enum ChildProcessIsolation {
    // Set once, at the start of a command, before anything reads it.
    nonisolated(unsafe) private static var enabled = false

    package static func enable() { enabled = true }

    static var isEnabled: Bool { enabled }

    /// Why a child gave no result.
    struct Failure: Error {
        let detail: String
    }

    /// `body`'s bytes, computed in a child process. A ``KleverError`` it throws comes
    /// back as one with the same detail; a crash, an exit or no answer within
    /// `timeoutSeconds` is a ``Failure``.
    static func run(timeoutSeconds: Int, _ body: () throws -> [UInt8]) throws -> [UInt8] {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw Failure(detail: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        let (reading, writing) = (descriptors[0], descriptors[1])
        let child = fork()
        guard child >= 0 else {
            close(reading)
            close(writing)
            throw Failure(detail: "cannot start a child process: \(String(cString: strerror(errno)))")
        }
        if child == 0 {
            close(reading)
            // A crash ends the child at once, without the handlers it inherited (Swift's
            // backtracer would print pages about a library's bug and hold the parent up).
            for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { signal(fatal, SIG_DFL) }
            // The parent says what went wrong, in its one error line: glibc's messages on
            // a corrupted heap ("free(): invalid size") go to the child's stderr, which
            // is /dev/null, rather than to the terminal or the user's log.
            setenv("LIBC_FATAL_STDERR_", "1", 1)
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDERR_FILENO) }
            let answer: [UInt8]
            do {
                answer = [Answer.result.rawValue] + (try body())
            } catch let error as KleverError {
                answer = [Answer.kleverError.rawValue] + Array("\(error.code)\n\(error.file)\n\(error.detail)".utf8)
            } catch {
                answer = [Answer.otherError.rawValue] + Array("\(error)".utf8)
            }
            var sent = 0
            while sent < answer.count {
                let written = answer[sent...].withUnsafeBytes { write(writing, $0.baseAddress, $0.count) }
                if written <= 0 { _exit(2) }
                sent += written
            }
            _exit(0)
        }
        close(writing)
        defer { close(reading) }
        let received = readAll(reading, from: child, timeoutSeconds: timeoutSeconds)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        guard let received else { throw Failure(detail: "no answer within \(timeoutSeconds) s") }
        let signal = status & 0x7f
        guard signal == 0 else { throw Failure(detail: "it crashed (signal \(signal))") }
        guard (status >> 8) & 0xff == 0, let kind = received.first.flatMap(Answer.init(rawValue:)) else {
            throw Failure(detail: "it ended without an answer")
        }
        let payload = Array(received.dropFirst())
        switch kind {
        case .result: return payload
        case .kleverError:
            // code, file and detail, a line each (the detail is one line by contract).
            let parts = String(decoding: payload, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let code = KleverError.Code(name: String(parts[0])) else { throw Failure(detail: "a garbled error") }
            throw KleverError(code, file: String(parts[1]), String(parts[2]))
        case .otherError: throw Failure(detail: String(decoding: payload, as: UTF8.self))
        }
    }

    private enum Answer: UInt8 {
        case result, kleverError, otherError
    }

    /// Everything the child writes until it closes the pipe; nil (the child killed) when
    /// that takes longer than the timeout.
    private static func readAll(_ descriptor: Int32, from child: pid_t, timeoutSeconds: Int) -> [UInt8]? {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let milliseconds = Int32(clamping: Int(max(0, (deadline - ContinuousClock.now).seconds * 1000)))
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else {
                kill(child, SIGKILL)
                return nil
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return received }
            received += buffer[..<count]
        }
    }
}
