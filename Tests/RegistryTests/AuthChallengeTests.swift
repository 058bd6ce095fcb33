import Foundation
import Testing
@testable import Registry

@Suite struct AuthChallengeTests {
    @Test func distributionsBearerChallenge() {
        let header = #"Bearer realm="http://127.0.0.1:5001/token",service="registry-test",scope="repository:p/m:pull,push""#
        #expect(AuthChallenge.parse(header) == [
            AuthChallenge(scheme: "Bearer", parameters: [
                "realm": "http://127.0.0.1:5001/token", "service": "registry-test", "scope": "repository:p/m:pull,push",
            ])
        ])
    }

    @Test func basicAndSeveralChallenges() {
        #expect(AuthChallenge.parse(#"Basic realm="basic-realm""#) == [AuthChallenge(scheme: "basic", parameters: ["realm": "basic-realm"])])
        let several = AuthChallenge.parse(#"Basic realm="a, b", charset=UTF-8, Bearer realm="https://auth/t", error="invalid_token""#)
        #expect(several.map(\.scheme) == ["basic", "bearer"])
        #expect(several[0].parameters == ["realm": "a, b", "charset": "UTF-8"])
        #expect(several[1].parameters["error"] == "invalid_token")
    }

    @Test func token68QuotesAndOddSpacing() {
        #expect(AuthChallenge.parse("Negotiate dG9rZW4=, Basic realm=x") == [
            AuthChallenge(scheme: "negotiate"), AuthChallenge(scheme: "basic", parameters: ["realm": "x"]),
        ])
        #expect(AuthChallenge.parse(#"  BEARER   Realm = "a\"b\\c" ,  Service=svc"#) == [
            AuthChallenge(scheme: "bearer", parameters: ["realm": #"a"b\c"#, "service": "svc"])
        ])
        #expect(AuthChallenge.parse("Basic") == [AuthChallenge(scheme: "basic")])
    }

    @Test(arguments: ["", ",,,", "\"", "=", "Bearer realm=\"unterminated", "Bearer ,,realm=@@, x=", "Basic realm=\"a\"junk=1"])
    func hostileHeadersNeverCrash(_ header: String) {
        _ = AuthChallenge.parse(header)
    }
}

@Suite struct AuthenticatorTests {
    private let credentials = Credentials(username: "u", password: "p")

    @Test func basicIsAnsweredOnceWithTheCredentials() {
        var authenticator = Authenticator(credentials: credentials)
        #expect(authenticator.authorization(scope: nil) == nil)
        #expect(authenticator.challenged(by: [#"Basic realm="r""#], scope: nil, sent: nil) == .retry)
        let basic = "Basic " + Data("u:p".utf8).base64EncodedString()
        #expect(authenticator.authorization(scope: "repository:x:pull") == basic)
        #expect(authenticator.challenged(by: [#"Basic realm="r""#], scope: nil, sent: basic) == .refuse("credentials refused"))
        var anonymous = Authenticator(credentials: nil)
        guard case .refuse = anonymous.challenged(by: [#"Basic realm="r""#], scope: nil, sent: nil) else {
            Issue.record("no credentials must refuse")
            return
        }
    }

    @Test func bearerTokensAreFetchedAndCachedPerScope() throws {
        var authenticator = Authenticator(credentials: credentials)
        let challenge = #"Bearer realm="https://auth.example/token?a=1",service="reg",scope="repository:p/m:pull""#
        guard case .fetchToken(let request) = authenticator.challenged(by: [challenge], scope: "repository:p/m:pull,push", sent: nil) else {
            Issue.record("expected a token fetch")
            return
        }
        // Our scope wins over the challenge's: a push needs pull,push.
        #expect(request.url.absoluteString == "https://auth.example/token?a=1&service=reg&scope=repository:p/m:pull,push")
        authenticator.store(token: "T1", scope: "repository:p/m:pull,push")
        #expect(authenticator.authorization(scope: "repository:p/m:pull,push") == "Bearer T1")
        #expect(authenticator.authorization(scope: "repository:other:pull") == nil)
        // A 401 to a cached token (expired) drops it and asks again.
        guard case .fetchToken = authenticator.challenged(by: [challenge], scope: "repository:p/m:pull,push", sent: "Bearer T1") else {
            Issue.record("expected a fresh token fetch")
            return
        }
        #expect(authenticator.authorization(scope: "repository:p/m:pull,push") == nil)
    }

    @Test func unusableChallenges() {
        var authenticator = Authenticator(credentials: credentials)
        for header in [#"Bearer service="x""#, #"Bearer realm="file:///etc/passwd""#, "Digest realm=x", ""] {
            guard case .refuse = authenticator.challenged(by: [header], scope: nil, sent: nil) else {
                Issue.record("\(header) must be refused")
                continue
            }
        }
    }

    @Test func tokenResponses() {
        #expect(Authenticator.token(fromResponse: Data(#"{"token":"abc"}"#.utf8)) == "abc")
        #expect(Authenticator.token(fromResponse: Data(#"{"access_token":"xyz","expires_in":60}"#.utf8)) == "xyz")
        #expect(Authenticator.token(fromResponse: Data(#"{"token":""}"#.utf8)) == nil)
        #expect(Authenticator.token(fromResponse: Data(#"{"token":"a\r\nInjected: 1"}"#.utf8)) == nil)
        #expect(Authenticator.token(fromResponse: Data("not json".utf8)) == nil)
        #expect(Authenticator.token(fromResponse: Data("[1,2]".utf8)) == nil)
    }
}
