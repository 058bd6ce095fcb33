import CurlHTTP
import Foundation
import NIOConcurrencyHelpers

/// libcurl easy handles kept between exchanges, so that their connections are reused.
///
/// A handle is out with exactly one exchange at a time: that is what makes the
/// unchecked Sendable sound, the lock guarding only the shelf.
final class CurlHandles: @unchecked Sendable {
    private let lock = NIOLock()
    private var idle: [CurlTransport] = []
    private let options: CurlTransport.Options
    /// Handles beyond this many are closed when returned.
    private let keep: Int

    init(options: CurlTransport.Options, keep: Int) {
        self.options = options
        self.keep = keep
    }

    /// Runs `body` with a handle of its own, on the calling thread.
    func with<T>(_ body: (CurlTransport) throws -> T) throws -> T {
        let handle = try lock.withLock { idle.popLast() } ?? CurlTransport(options: options)
        defer { lock.withLock { if idle.count < keep { idle.append(handle) } } }
        return try body(handle)
    }
}
