import ControllerLite
import Foundation
import Hummingbird
import ModelPackage

extension KubeStandIn {
    /// A request path, taken apart.
    struct Route: Sendable {
        var plural: String
        var namespace: String?
        var name: String?
        var subresource: String?

        /// `/api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]]` or the same under `/apis/GROUP/VERSION`,
        /// for a kind the stand-in serves at that group and version.
        init?(_ path: String) {
            var parts = path.split(separator: "/").map(String.init)
            let prefix: String
            switch parts.first {
            case "api" where parts.count >= 2: prefix = "/" + parts.prefix(2).joined(separator: "/"); parts.removeFirst(2)
            case "apis" where parts.count >= 3: prefix = "/" + parts.prefix(3).joined(separator: "/"); parts.removeFirst(3)
            default: return nil
            }
            if parts.first == "namespaces", parts.count >= 3 {
                namespace = parts[1]
                parts.removeFirst(2)
            }
            guard let plural = parts.first, parts.count <= 3, let kind = KubeStore.kinds[plural],
                  kind.resource.path(namespace: nil) == prefix + "/" + plural
            else { return nil }
            self.plural = plural
            name = parts.count > 1 ? parts[1] : nil
            subresource = parts.count > 2 ? parts[2] : nil
        }
    }

    static func router(_ store: KubeStore) -> Router<BasicRequestContext> {
        let router = Router()
        for method: HTTPRequest.Method in [.get, .post, .put, .patch, .delete] {
            router.on("**", method: method) { request, _ in try await respond(to: request, store: store) }
        }
        return router
    }

    private static func respond(to request: Request, store: KubeStore) async throws -> Response {
        guard request.headers[.authorization] == "Bearer \(token)" else {
            return json(KubeStore.status(401, "Unauthorized", "Unauthorized"))
        }
        guard let route = Route(request.uri.path) else { return json(KubeStore.notFound(request.uri.path)) }
        let query = request.uri.queryParameters
        let subject = route.plural + (route.subresource.map { "/" + $0 } ?? "")
        let key = route.name.map { ObjectKey(namespace: route.namespace ?? "", name: $0) }
        let body = try await request.body.collect(upTo: 64 << 20)
        let json: JSONValue? = body.readableBytes > 0 ? try? JSONValue.parse(Data(body.readableBytesView)) : nil
        if body.readableBytes > 0, json == nil { return Self.json(KubeStore.status(400, "BadRequest", "the body is not JSON")) }

        let verb = switch (request.method, key) {
        case (.get, nil): query["watch"] == "true" ? "WATCH" : "LIST"
        default: request.method.rawValue
        }
        if let failure = await store.record(request: "\(verb) \(subject)") { return Self.json(failure) }
        switch (request.method, key) {
        case (.get, nil) where verb == "WATCH":
            let stream = await store.watch(
                route.plural, namespace: route.namespace, selector: LabelSelector(query["labelSelector"].map(String.init)),
                from: query["resourceVersion"].map(String.init) ?? "", timeoutSeconds: query["timeoutSeconds"].flatMap { Int($0) } ?? 1800,
                bookmarks: query["allowWatchBookmarks"] == "true")
            guard let (id, lines) = stream else { return Self.json(KubeStore.status(410, "Expired", "too old resource version")) }
            return Self.stream(lines) { await store.forget(id) }
        case (.get, nil):
            return Self.json(await store.list(route.plural, namespace: route.namespace, selector: LabelSelector(query["labelSelector"].map(String.init))))
        case (.get, let key?):
            return Self.json(await store.get(route.plural, key))
        case (.post, nil):
            guard let namespace = route.namespace, let json else { return Self.json(KubeStore.status(400, "BadRequest", "a namespaced POST with a body")) }
            return Self.json(await store.create(route.plural, namespace: namespace, body: json))
        case (.put, let key?):
            guard let json else { return Self.json(KubeStore.status(400, "BadRequest", "no body")) }
            return Self.json(await store.replace(route.plural, key, body: json, subresource: route.subresource))
        case (.patch, let key?):
            guard request.headers[.contentType] == "application/merge-patch+json", let json else {
                return Self.json(KubeStore.status(415, "UnsupportedMediaType", "only merge patches"))
            }
            return Self.json(await store.patch(route.plural, key, patch: json, subresource: route.subresource))
        case (.delete, let key?):
            return Self.json(await store.delete(route.plural, key))
        default:
            return Self.json(KubeStore.status(405, "MethodNotAllowed", "\(request.method) \(request.uri.path)"))
        }
    }

    /// A watch's lines as a chunked answer, as long as they come and the client reads;
    /// then `ended`.
    private static func stream(_ lines: AsyncStream<Data>, ended: @escaping @Sendable () async -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
            do {
                for await line in lines { try await writer.write(ByteBuffer(bytes: line)) }
                try await writer.finish(nil)
            } catch {
                await ended()
                throw error
            }
            await ended()
        })
    }

    private static func json(_ answer: KubeStore.Answer) -> Response {
        Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body.data)))
    }
}
