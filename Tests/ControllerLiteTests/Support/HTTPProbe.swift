@testable import ControllerLite
import CurlHTTP
import Foundation

/// Plain HTTP requests from a test, as Harbor, Prometheus or the kubelet's probes send
/// them; the blocking exchange runs off the cooperative threads, which the servers under
/// test need.
enum HTTPProbe {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var text: String
    }

    static func send(_ method: String, _ url: URL, body: Data? = nil, headers: HTTPHeaders = [:]) async throws -> Answer {
        try await blocking {
            var request = HTTPRequest(method, url, headers: headers, body: body.map { .data($0) } ?? .none)
            if body != nil { request.headers.set("Content-Type", "application/json") }
            let sink = BufferSink(limit: 1 << 20)
            let head = try CurlTransport().perform(request, sink: sink)
            return Answer(status: head.status, headers: head.headers, text: String(decoding: sink.data, as: UTF8.self))
        }
    }

    /// Blocking work of a test (a registry, a push) on a thread of its own.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await Offload.run(work)
    }
}
