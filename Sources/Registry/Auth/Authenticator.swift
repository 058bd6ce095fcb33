import Foundation

/// Which `Authorization` goes with each request to one registry, and what to do when it
/// answers 401: Basic with the credentials, or Bearer with a token fetched for the
/// request's scope and cached per scope. Pure: the registry client does the I/O.
struct Authenticator {
    /// What the registry asked for the last time it challenged.
    enum Scheme: Equatable {
        case basic
        case bearer
    }

    /// A token to fetch: `GET realm?service=...&scope=...`, with Basic credentials if any.
    struct TokenRequest: Equatable {
        let realm: URL
        let service: String?
        let scope: String?

        /// The token endpoint's URL with `service` and `scope` added to its query.
        var url: URL {
            guard var components = URLComponents(url: realm, resolvingAgainstBaseURL: false) else { return realm }
            var items = components.queryItems ?? []
            if let service { items.append(URLQueryItem(name: "service", value: service)) }
            if let scope { items.append(URLQueryItem(name: "scope", value: scope)) }
            components.queryItems = items.isEmpty ? nil : items
            return components.url ?? realm
        }
    }

    /// What to do about a 401.
    enum Decision: Equatable {
        /// Send the request again with ``authorization(scope:)``.
        case retry
        /// Fetch a token, ``store(token:scope:)`` it, then send again.
        case fetchToken(TokenRequest)
        /// Give up: the reason, in a few words.
        case refuse(String)
    }

    let credentials: Credentials?
    private(set) var scheme: Scheme?
    private var tokens: [String: String] = [:]

    init(credentials: Credentials?) { self.credentials = credentials }

    /// The `Authorization` value for a request that needs `scope` (nil: no repository).
    func authorization(scope: String?) -> String? {
        switch scheme {
        case .basic: credentials?.basicAuthorization
        case .bearer: tokens[scope ?? ""].map { "Bearer " + $0 }
        case nil: nil
        }
    }

    /// Decides how to answer a 401 carrying these `WWW-Authenticate` values, for a
    /// request that needs `scope` and was sent with `sent` as its `Authorization`.
    mutating func challenged(by headers: [String], scope: String?, sent: String?) -> Decision {
        let challenges = headers.flatMap(AuthChallenge.parse)
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            guard let realm = bearer.parameters["realm"].flatMap(URL.init(string:)),
                  realm.scheme == "http" || realm.scheme == "https", realm.host != nil
            else { return .refuse("the registry's Bearer challenge has no usable realm") }
            scheme = .bearer
            // A cached token that is refused has expired or lacks the scope: fetch anew.
            tokens[scope ?? ""] = nil
            return .fetchToken(TokenRequest(realm: realm, service: bearer.parameters["service"], scope: scope ?? bearer.parameters["scope"]))
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            scheme = .basic
            guard let credentials else { return .refuse(Self.noCredentials) }
            return sent == credentials.basicAuthorization ? .refuse("credentials refused") : .retry
        }
        return .refuse("unauthorized, and no Basic or Bearer challenge to answer")
    }

    /// Caches a token fetched for `scope`.
    mutating func store(token: String, scope: String?) { tokens[scope ?? ""] = token }

    /// The token in a token endpoint's JSON answer (`token`, or OAuth2's `access_token`).
    static func token(fromResponse data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let token = (object["token"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? (object["access_token"] as? String)
        // A token goes into a header line: refuse anything that could break it.
        guard let token, !token.isEmpty, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        return token
    }

    static let noCredentials = "authentication required (use klever login, -u/-p, or ORMB_USERNAME/ORMB_PASSWORD)"
}
