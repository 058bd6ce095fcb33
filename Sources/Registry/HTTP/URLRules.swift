import CurlHTTP
import Foundation

/// The URL rules of the distribution protocol: upload locations and redirects.
enum URLRules {
    /// An upload `Location` (absolute, or relative to the registry) as a URL.
    static func resolve(_ location: String, against base: URL) -> URL? {
        guard let url = URL(string: location, relativeTo: base)?.absoluteURL,
              url.scheme == "http" || url.scheme == "https", url.host != nil
        else { return nil }
        return url
    }

    /// An upload URL with `digest=` added: with `&` when it already has a query
    /// (distribution's locations carry `?_state=`), else with `?`.
    static func appendingDigest(_ digest: Digest, to url: URL) -> URL {
        let text = url.absoluteString
        let separator = url.query == nil ? "?" : "&"
        return URL(string: text + separator + "digest=" + digest.description) ?? url
    }

    /// Whether two URLs share scheme, host and port (credentials may travel between them).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && effectivePort(a) == effectivePort(b)
    }

    private static func effectivePort(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil)
    }

    /// The request to make after a redirect answer, or nil if `status` is not one to
    /// follow. Only GET and HEAD are redirected (blob downloads go to storage this
    /// way); the `Authorization` header is dropped when the redirect leaves the origin.
    static func redirect(_ request: HTTPRequest, status: Int, location: String?) -> HTTPRequest? {
        guard [301, 302, 303, 307, 308].contains(status), request.method == "GET" || request.method == "HEAD",
              let location, let target = resolve(location, against: request.url)
        else { return nil }
        var next = request
        next.url = target
        if !sameOrigin(request.url, target) { next.headers.set("Authorization", nil) }
        return next
    }
}
