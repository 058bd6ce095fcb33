import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport
@testable import Registry

/// The client's protocol handling against scripted (and hostile) answers.
@Suite struct RegistryClientTests {
    private let reference = try! ModelReference(parsing: "127.0.0.1:5000/p/m:v1")
    private let blob = TestPackages.bytes(10_000, seed: 7)

    private func client(_ transport: FakeTransport, credentials: Credentials? = nil) throws -> RegistryClient {
        var options = RegistryClient.Options()
        options.retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.01)
        return try RegistryClient(registry: "127.0.0.1:5000", credentials: credentials, options: options, logger: Logger(label: "test"), transport: transport)
    }

    private var descriptor: Descriptor { Descriptor(mediaType: MediaType.modelLayer, digest: .of(blob), size: Int64(blob.count)) }

    @Test func aRedirectToStorageCarriesNoCredentials() throws {
        let basic = Credentials(username: "u", password: "p").basicAuthorization
        let transport = FakeTransport { request in
            if request.url.host == "storage.example" { return .init(200, body: self.blob) }
            guard request.headers["Authorization"] == basic else { return .init(401, ["WWW-Authenticate": #"Basic realm="r""#]) }
            return .init(307, ["Location": "http://storage.example/bucket/blob?signature=1"])
        }
        let scratch = try TemporaryDirectory()
        let file = try client(transport, credentials: Credentials(username: "u", password: "p"))
            .fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil)
        #expect(try Data(contentsOf: file) == blob)
        let storage = try #require(transport.requests.last)
        #expect(storage.url.host == "storage.example" && storage.headers["Authorization"] == nil)
        #expect(transport.requests.count == 3)
    }

    @Test func tokensAreFetchedOncePerScopeAndRenewedOn401() throws {
        var issued = 0
        var valid: Set<String> = []
        let transport = FakeTransport { request in
            if request.url.path == "/token" {
                issued += 1
                valid.insert("T\(issued)")
                return .init(200, body: Data(#"{"token":"T\#(issued)"}"#.utf8))
            }
            guard let auth = request.headers["Authorization"], valid.contains(String(auth.dropFirst(7))) else {
                return .init(401, ["WWW-Authenticate": #"Bearer realm="http://127.0.0.1:5001/token",service="s""#])
            }
            return .init(200, ["Content-Type": MediaType.ociManifest], body: Data("{}".utf8))
        }
        let client = try client(transport)
        _ = try client.fetchManifest(reference)
        _ = try client.fetchManifest(reference)
        #expect(issued == 1)
        let tokenRequest = try #require(transport.requests.first { $0.url.path == "/token" })
        #expect(tokenRequest.url.query == "service=s&scope=repository:p/m:pull")
        // The token expires: the next 401 fetches another.
        valid.removeAll()
        _ = try client.fetchManifest(reference)
        #expect(issued == 2)
    }

    @Test func aRefusedFreshTokenIsALoginError() throws {
        let transport = FakeTransport { request in
            if request.url.path == "/token" { return .init(200, body: Data(#"{"token":"T"}"#.utf8)) }
            return .init(401, ["WWW-Authenticate": #"Bearer realm="http://127.0.0.1:5001/token""#])
        }
        let error = try #require(throws: KleverError.self) { try client(transport).fetchManifest(reference) }
        #expect(error.exitCode == 10000 && error.file == reference.description)
    }

    @Test func serverErrorsAreRetriedThenReported() throws {
        var calls = 0
        let flaky = FakeTransport { _ in
            calls += 1
            return calls < 3 ? .init(503) : .init(200, body: Data("{}".utf8))
        }
        _ = try client(flaky).fetchManifest(reference)
        #expect(calls == 3)
        let down = FakeTransport { _ in .init(500, body: Data(#"{"errors":[{"code":"UNKNOWN","message":"storage on fire"}]}"#.utf8)) }
        let error = try #require(throws: KleverError.self) { try client(down).fetchManifest(reference) }
        #expect(error.description == "127.0.0.1:5000/p/m:v1: storage on fire (500)")
        #expect(down.requests.count == 3)
    }

    @Test func hostileAnswersAreErrorsNotCrashes() throws {
        let endless = FakeTransport { _ in .init(200, ["Content-Length": "99999999999999"], body: Data(count: 5 << 20)) }
        #expect(try #require(throws: KleverError.self) { try client(endless).fetchManifest(reference) }.detail.contains("larger than allowed"))

        let lying = FakeTransport { _ in .init(200, ["Docker-Content-Digest": Digest.of(Data("x".utf8)).description], body: Data("{}".utf8)) }
        #expect(try #require(throws: KleverError.self) { try client(lying).fetchManifest(reference) }.detail.contains("does not match"))

        let scratch = try TemporaryDirectory()
        let oversized = FakeTransport { _ in .init(200, body: self.blob + Data(count: 10)) }
        #expect(try #require(throws: KleverError.self) {
            try client(oversized).fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil)
        }.detail.contains("more than"))

        let tampered = FakeTransport { _ in .init(200, body: TestPackages.bytes(10_000, seed: 8)) }
        #expect(try #require(throws: KleverError.self) {
            try client(tampered).fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil)
        }.exitCode == 10001)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)

        let missing = FakeTransport { _ in .init(404, body: Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8)) }
        let error = try #require(throws: KleverError.self) { try client(missing).fetchManifest(reference) }
        #expect(error.description == "127.0.0.1:5000/p/m:v1: manifest unknown (404)" && error.exitCode == 10001)
    }

    @Test func aCutDownloadResumesWithARange() throws {
        var cut = false
        let transport = FakeTransport { request in
            if let range = request.headers["Range"] {
                let from = Int(range.dropFirst("bytes=".count).dropLast())!
                return .init(206, ["Content-Range": "bytes \(from)-\(self.blob.count - 1)/\(self.blob.count)"], body: self.blob.suffix(from: from))
            }
            defer { cut = true }
            return .init(200, body: self.blob, cutAfter: cut ? nil : 4321)
        }
        let scratch = try TemporaryDirectory()
        let file = try client(transport).fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil)
        #expect(try Data(contentsOf: file) == blob)
        #expect(transport.requests.map { $0.headers["Range"] } == [nil, "bytes=4321-"])
    }

    @Test func aPartialFileFromAnEarlierRunIsContinued() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("sha256-\(descriptor.digest.hex).partial", blob.prefix(6000))
        let transport = FakeTransport { request in
            .init(206, ["Content-Range": "bytes 6000-9999/10000"], body: self.blob.suffix(from: 6000))
        }
        let file = try client(transport).fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil)
        #expect(try Data(contentsOf: file) == blob)
        #expect(transport.requests.map { $0.headers["Range"] } == ["bytes=6000-"])
    }

    @Test func twoPullsDoNotShareAPartialFile() throws {
        let scratch = try TemporaryDirectory()
        let held = try PartialFile(scratch.url.appendingPathComponent("sha256-\(descriptor.digest.hex).partial"))
        let transport = FakeTransport { _ in .init(200, body: self.blob) }
        let error = try #require(throws: KleverError.self) { try client(transport).fetchBlob(descriptor, of: reference, into: scratch.url, progress: nil) }
        #expect(error.detail == "another pull is downloading this blob" && transport.requests.isEmpty)
        withExtendedLifetime(held) {}
    }

    @Test func uploadsFollowTheProtocol() throws {
        let scratch = try TemporaryDirectory()
        let file = try scratch.write("blob", blob)
        var received = Data()
        let transport = FakeTransport { request in
            switch (request.method, request.url.path) {
            case ("HEAD", _): return .init(404)
            case ("POST", "/v2/p/m/blobs/uploads"): return .init(202, ["Location": "/v2/p/m/blobs/uploads/u1?_state=s0"])
            case ("PATCH", _):
                guard case .file(_, let offset, let length) = request.body else { return .init(400) }
                received += self.blob[Int(offset)..<Int(offset + length)]
                return .init(202, ["Location": "http://127.0.0.1:5000/v2/p/m/blobs/uploads/u1?_state=s\(received.count)", "Range": "0-\(received.count - 1)"])
            case ("PUT", _): return .init(received == self.blob ? 201 : 400)
            default: return .init(500)
            }
        }
        var options = RegistryClient.Options()
        options.chunkedUploadThreshold = 1000
        options.chunkSize = 4096
        let client = try RegistryClient(registry: "127.0.0.1:5000", credentials: nil, options: options, logger: Logger(label: "t"), transport: transport)
        #expect(try client.pushBlob(descriptor, from: file, to: reference, progress: nil))
        #expect(transport.requests.map(\.method) == ["HEAD", "POST", "PATCH", "PATCH", "PATCH", "PUT"])
        #expect(transport.requests[2].headers["Content-Range"] == "0-4095")
        #expect(transport.requests.last?.url.absoluteString == "http://127.0.0.1:5000/v2/p/m/blobs/uploads/u1?_state=s10000&digest=\(descriptor.digest)")
    }
}
