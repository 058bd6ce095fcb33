import CurlHTTP
import Foundation
@testable import Registry

/// A scripted HTTP server in memory: answers each request with a handler's reply and
/// records what was asked.
final class FakeTransport: HTTPTransport {
    struct Reply {
        var head: HTTPResponseHead
        var body: Data
        /// Cut the connection after this many body bytes.
        var cutAfter: Int?

        init(_ status: Int, _ headers: HTTPHeaders = [:], body: Data = Data(), cutAfter: Int? = nil) {
            var headers = headers
            if headers["Content-Length"] == nil { headers.set("Content-Length", String(body.count)) }
            self.head = HTTPResponseHead(status: status, headers: headers)
            self.body = body
            self.cutAfter = cutAfter
        }
    }

    private let handler: (HTTPRequest) -> Reply
    private(set) var requests: [HTTPRequest] = []

    init(_ handler: @escaping (HTTPRequest) -> Reply) { self.handler = handler }

    func perform(_ request: HTTPRequest, sink: ResponseSink) throws(TransportError) -> HTTPResponseHead {
        requests.append(request)
        let reply = handler(request)
        guard sink.receive(head: reply.head) else { throw .aborted }
        let body = reply.cutAfter.map { reply.body.prefix($0) } ?? reply.body
        var offset = body.startIndex
        while offset < body.endIndex {
            let chunk = body[offset..<min(offset + 1000, body.endIndex)]
            let accepted = chunk.withUnsafeBytes { sink.receive(body: $0) }
            guard accepted else { throw .aborted }
            offset = chunk.endIndex
        }
        if reply.cutAfter != nil { throw .connection("connection cut by the fake") }
        return reply.head
    }
}
