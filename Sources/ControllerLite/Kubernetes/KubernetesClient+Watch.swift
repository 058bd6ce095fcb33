import CurlHTTP
import Foundation
import NIOConcurrencyHelpers

extension KubernetesClient {
    /// Watches a kind from a resourceVersion (that of a LIST): the events after it, as
    /// they happen, until the server ends the stream after `timeoutSeconds`, the
    /// connection fails, or the consumer stops iterating.
    ///
    /// The stream ends with a ``KubernetesError`` when the server refuses the watch (a 410
    /// when the resourceVersion is too old); an `ERROR` event is passed on as such.
    public func watch<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String? = nil, labelSelector: String? = nil, from resourceVersion: String,
        timeoutSeconds: Int
    ) -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let operation = "watch \(Object.resource)"
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<Object>.self)
        var query = [
            ("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", String(timeoutSeconds)),
        ]
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        let request: HTTPRequest
        do {
            request = try self.request("GET", Object.resource.path(namespace: namespace), query: query, operation: operation)
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        let sink = WatchSink(continuation, operation: operation)
        continuation.onTermination = { _ in sink.cancel() }
        // A stream of its own: its own handle, allowed to idle as long as the server may.
        let options = config.transportOptions(stallTimeoutSeconds: timeoutSeconds + 30)
        Thread.detachNewThread {
            do {
                let head = try CurlTransport(options: options).perform(request, sink: sink)
                sink.finish(head)
            } catch {
                sink.finish(error)
            }
        }
        return stream
    }
}

/// Turns a watch response into events, line by line, as its chunks arrive.
///
/// libcurl calls it on the watch's thread; `cancel` comes from the consumer's: only the
/// flag is shared, under its lock.
private final class WatchSink<Object: KubernetesObject>: ResponseSink, @unchecked Sendable {
    private let continuation: AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation
    private let operation: String
    private let cancelled = NIOLockedValueBox(false)
    private var lines = LineSplitter()
    private var status = 0
    /// The body of a refusal, for its Status.
    private var refusal = Data()

    init(_ continuation: AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation, operation: String) {
        self.continuation = continuation
        self.operation = operation
    }

    var isCancelled: Bool { cancelled.withLockedValue { $0 } }

    func cancel() { cancelled.withLockedValue { $0 = true } }

    func receive(head: HTTPResponseHead) -> Bool {
        status = head.status
        return true
    }

    func receive(body: UnsafeRawBufferPointer) -> Bool {
        guard status == 200 else {
            refusal.append(contentsOf: body.prefix(max(0, 65536 - refusal.count)))
            return true
        }
        let decoder = JSONDecoder()
        for line in lines.append(body) {
            do {
                continuation.yield(try decoder.decode(WatchEvent<Object>.self, from: line))
            } catch {
                continuation.finish(throwing: KubernetesError.invalid("an event is not a \(Object.self) event: \(error)", operation: operation))
                return false
            }
        }
        return !isCancelled
    }

    /// The exchange is over: an answer other than 200 is the stream's error.
    func finish(_ head: HTTPResponseHead) {
        if head.status == 200 {
            continuation.finish()
        } else {
            let status = try? JSONDecoder().decode(APIStatus.self, from: refusal)
            continuation.finish(throwing: KubernetesError.status(head.status, status, operation: operation))
        }
    }

    func finish(_ error: any Error) {
        switch error {
        case TransportError.aborted: continuation.finish()
        case let error as TransportError: continuation.finish(throwing: KubernetesClient.error(error, operation: operation, limit: 0))
        default: continuation.finish(throwing: error)
        }
    }
}
