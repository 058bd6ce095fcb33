import CurlHTTP
import Foundation
import Testing
@testable import Registry

/// The upload state machine, driven by hand with distribution's answers.
@Suite struct BlobUploadTests {
    private let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 4)
    private let location = "http://127.0.0.1:5000/v2/p/m/blobs/uploads/uuid?_state=abc"

    @Test func anExistingBlobIsSkipped() {
        var upload = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        #expect(upload.start() == .send(.check, after: 0))
        #expect(upload.receive(status: 200, headers: [:]) == .done(uploaded: false))
    }

    @Test func monolithic() {
        var upload = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        _ = upload.start()
        #expect(upload.receive(status: 404, headers: [:]) == .send(.open, after: 0))
        #expect(upload.receive(status: 202, headers: ["Location": location]) == .send(.putWhole(location: location), after: 0))
        #expect(upload.receive(status: 201, headers: [:]) == .done(uploaded: true))
    }

    @Test func chunked() {
        var upload = BlobUpload(size: 25, chunkSize: 10, policy: policy)
        _ = upload.start()
        _ = upload.receive(status: 404, headers: [:])
        #expect(upload.receive(status: 202, headers: ["Location": location]) == .send(.patch(location: location, from: 0, length: 10), after: 0))
        #expect(upload.receive(status: 202, headers: ["Location": "/v2/p/m/blobs/uploads/uuid?_state=2", "Range": "0-9"])
            == .send(.patch(location: "/v2/p/m/blobs/uploads/uuid?_state=2", from: 10, length: 10), after: 0))
        #expect(upload.receive(status: 202, headers: ["Location": "l3", "Range": "0-19"]) == .send(.patch(location: "l3", from: 20, length: 5), after: 0))
        #expect(upload.receive(status: 202, headers: ["Location": "l4", "Range": "0-24"]) == .send(.close(location: "l4"), after: 0))
        #expect(upload.receive(status: 201, headers: [:]) == .done(uploaded: true))
    }

    @Test func aChunkSizeAboveTheBlobIsMonolithic() {
        #expect(BlobUpload(size: 10, chunkSize: 10, policy: policy).chunkSize == nil)
        #expect(BlobUpload(size: 10, chunkSize: 0, policy: policy).chunkSize == nil)
    }

    @Test func aCutChunkAsksTheSessionHowFarItGot() {
        var upload = BlobUpload(size: 25, chunkSize: 10, policy: policy)
        _ = upload.start()
        _ = upload.receive(status: 404, headers: [:])
        _ = upload.receive(status: 202, headers: ["Location": location])
        #expect(upload.failed(transportError: "reset") == .send(.queryStatus(location: location), after: 1))
        #expect(upload.receive(status: 204, headers: ["Location": "l2", "Range": "0-6"]) == .send(.patch(location: "l2", from: 7, length: 10), after: 0))
    }

    @Test func aFailedMonolithicPutOpensANewSession() {
        var upload = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        _ = upload.start()
        _ = upload.receive(status: 404, headers: [:])
        _ = upload.receive(status: 202, headers: ["Location": location])
        #expect(upload.failed(transportError: "reset") == .send(.open, after: 1))
        #expect(upload.receive(status: 202, headers: ["Location": "l2"]) == .send(.putWhole(location: "l2"), after: 0))
        #expect(upload.receive(status: 503, headers: ["Retry-After": "2"]) == .send(.open, after: 2))
    }

    @Test func aFailedCloseChecksWhetherTheBlobLanded() {
        var upload = BlobUpload(size: 20, chunkSize: 10, policy: policy)
        _ = upload.start()
        _ = upload.receive(status: 404, headers: [:])
        _ = upload.receive(status: 202, headers: ["Location": location])
        _ = upload.receive(status: 202, headers: ["Range": "0-9"])
        _ = upload.receive(status: 202, headers: ["Range": "0-19"])
        #expect(upload.failed(transportError: "reset") == .send(.check, after: 1))
        #expect(upload.receive(status: 200, headers: [:]) == .done(uploaded: false))
    }

    @Test func lostSessionsAndOffsetDisagreementsStartOver() {
        var upload = BlobUpload(size: 20, chunkSize: 10, policy: policy)
        _ = upload.start()
        _ = upload.receive(status: 404, headers: [:])
        _ = upload.receive(status: 202, headers: ["Location": location])
        #expect(upload.receive(status: 416, headers: [:]) == .send(.open, after: 1))
        _ = upload.receive(status: 202, headers: ["Location": location])
        #expect(upload.receive(status: 404, headers: [:]) == .send(.open, after: 1))
    }

    @Test func failures() {
        var noLocation = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        _ = noLocation.start()
        _ = noLocation.receive(status: 404, headers: [:])
        guard case .fail(.protocolViolation) = noLocation.receive(status: 202, headers: [:]) else {
            Issue.record("a 202 without Location must fail")
            return
        }
        var rejected = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        _ = rejected.start()
        _ = rejected.receive(status: 404, headers: [:])
        _ = rejected.receive(status: 202, headers: ["Location": location])
        #expect(rejected.receive(status: 400, headers: [:]) == .fail(.status(400, .putWhole(location: location))))

        var overfull = BlobUpload(size: 20, chunkSize: 10, policy: policy)
        _ = overfull.start()
        _ = overfull.receive(status: 404, headers: [:])
        _ = overfull.receive(status: 202, headers: ["Location": location])
        guard case .fail(.protocolViolation) = overfull.receive(status: 202, headers: ["Range": "0-99"]) else {
            Issue.record("a session holding more than the blob must fail")
            return
        }

        var down = BlobUpload(size: 10, chunkSize: nil, policy: policy)
        _ = down.start()
        _ = down.failed(transportError: "refused")
        _ = down.failed(transportError: "refused")
        #expect(down.failed(transportError: "refused") == .fail(.connection("refused")))
    }
}

@Suite struct URLRulesTests {
    private let base = URL(string: "http://127.0.0.1:5000")!

    @Test func uploadLocations() {
        let absolute = URLRules.resolve("http://127.0.0.1:5000/v2/p/m/blobs/uploads/u?_state=x", against: base)!
        let digest = Digest.of(Data("x".utf8))
        #expect(URLRules.appendingDigest(digest, to: absolute).absoluteString == "http://127.0.0.1:5000/v2/p/m/blobs/uploads/u?_state=x&digest=\(digest)")
        let relative = URLRules.resolve("/v2/p/m/blobs/uploads/u", against: base)!
        #expect(URLRules.appendingDigest(digest, to: relative).absoluteString == "http://127.0.0.1:5000/v2/p/m/blobs/uploads/u?digest=\(digest)")
        #expect(URLRules.resolve("file:///etc/passwd", against: base) == nil)
    }

    @Test func redirectsDropCredentialsOffTheRegistry() {
        var request = HTTPRequest("GET", URL(string: "http://127.0.0.1:5000/v2/p/m/blobs/sha256:ab")!)
        request.headers.set("Authorization", "Bearer T")
        request.headers.set("Range", "bytes=5-")
        let sameHost = URLRules.redirect(request, status: 307, location: "/storage/blob")!
        #expect(sameHost.url.absoluteString == "http://127.0.0.1:5000/storage/blob" && sameHost.headers["Authorization"] == "Bearer T")
        let otherHost = URLRules.redirect(request, status: 302, location: "https://s3.example.com/blob?sig=1")!
        #expect(otherHost.headers["Authorization"] == nil && otherHost.headers["Range"] == "bytes=5-")
        let otherPort = URLRules.redirect(request, status: 301, location: "http://127.0.0.1:5001/blob")!
        #expect(otherPort.headers["Authorization"] == nil)
        #expect(URLRules.redirect(request, status: 200, location: "/x") == nil)
        #expect(URLRules.redirect(HTTPRequest("PUT", request.url), status: 307, location: "/x") == nil)
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffIsExponentialAndBounded() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.5, maxDelay: 3)
        #expect((1...5).map { policy.delay(afterFailures: $0) } == [0.5, 1, 2, 3, 3])
        #expect(policy.delay(afterFailures: 6) == nil)
        #expect(policy.delay(afterFailures: 1, retryAfter: "2") == 2)
        #expect(policy.delay(afterFailures: 1, retryAfter: "3600") == 3)
        #expect(policy.delay(afterFailures: 1, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT") == 0.5)
    }

    @Test func retryableStatuses() {
        #expect([408, 429, 500, 502, 503, 504].allSatisfy(RetryPolicy.isRetryable))
        #expect(![200, 400, 401, 403, 404, 416, 501].contains(where: RetryPolicy.isRetryable))
    }
}
