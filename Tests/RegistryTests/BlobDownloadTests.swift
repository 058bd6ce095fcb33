import CurlHTTP
import Testing
@testable import Registry

/// The download state machine, driven by hand: no sockets, no files.
@Suite struct BlobDownloadTests {
    private let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 4)

    private func ok(_ status: Int, _ headers: HTTPHeaders = [:]) -> HTTPResponseHead { HTTPResponseHead(status: status, headers: headers) }

    @Test func aCleanDownload() {
        var download = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        #expect(download.start() == .fetch(from: 0, after: 0))
        #expect(download.receive(head: ok(200, ["Content-Length": "100"])) == .write(from: 0))
        #expect(download.receive(bodyBytes: 60) == true)
        #expect(download.receive(bodyBytes: 40) == true)
        #expect(download.finished(transportError: nil) == .verify)
        #expect(download.verified(true) == .done)
    }

    @Test func aCutConnectionResumesWithARange() {
        var download = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = download.start()
        _ = download.receive(head: ok(200))
        #expect(download.receive(bodyBytes: 30) == true)
        #expect(download.finished(transportError: "Connection reset") == .fetch(from: 30, after: 1))
        #expect(download.receive(head: ok(206, ["Content-Range": "bytes 30-99/100", "Content-Length": "70"])) == .write(from: 30))
        #expect(download.receive(bodyBytes: 70) == true)
        #expect(download.finished(transportError: nil) == .verify)
    }

    @Test func progressResetsTheFailureCount() {
        var download = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = download.start()
        var offset: Int64 = 0
        // Ten cuts, each after some progress: never gives up.
        for _ in 0..<10 {
            _ = download.receive(head: offset == 0 ? ok(200) : ok(206, ["Content-Range": "bytes \(offset)-99/100"]))
            #expect(download.receive(bodyBytes: 5) == true)
            offset += 5
            #expect(download.finished(transportError: "cut") == .fetch(from: offset, after: 1))
        }
    }

    @Test func noProgressGivesUpAfterTheAttempts() {
        var download = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = download.start()
        #expect(download.finished(transportError: "refused") == .fetch(from: 0, after: 1))
        #expect(download.finished(transportError: "refused") == .fetch(from: 0, after: 2))
        #expect(download.finished(transportError: "refused") == .fail(.connection("refused")))
    }

    @Test func aServerIgnoringTheRangeStartsOver() {
        var download = BlobDownload(size: 100, partialBytes: 40, policy: policy)
        #expect(download.start() == .fetch(from: 40, after: 0))
        #expect(download.receive(head: ok(200)) == .write(from: 0))
        #expect(download.receive(bodyBytes: 100) == true)
        #expect(download.finished(transportError: nil) == .verify)
    }

    @Test func aWrongContentRangeIsNotAppended() {
        var download = BlobDownload(size: 100, partialBytes: 40, policy: policy)
        _ = download.start()
        #expect(download.receive(head: ok(206, ["Content-Range": "bytes 0-99/100"])) == .discard)
        #expect(download.finished(transportError: nil) == .fetch(from: 0, after: 1))
        var unsatisfiable = BlobDownload(size: 100, partialBytes: 40, policy: policy)
        _ = unsatisfiable.start()
        #expect(unsatisfiable.receive(head: ok(416)) == .discard)
        #expect(unsatisfiable.finished(transportError: nil) == .fetch(from: 0, after: 1))
    }

    @Test func anEarlierRunsPartialFileIsContinuedAndDistrustedOnMismatch() {
        var download = BlobDownload(size: 100, partialBytes: 100, policy: policy)
        #expect(download.start() == .verify)
        // The earlier bytes were wrong: one fresh try, then a mismatch is final.
        #expect(download.verified(false) == .fetch(from: 0, after: 0))
        _ = download.receive(head: ok(200))
        _ = download.receive(bodyBytes: 100)
        #expect(download.finished(transportError: nil) == .verify)
        #expect(download.verified(false) == .fail(.digestMismatch))

        var longer = BlobDownload(size: 100, partialBytes: 500, policy: policy)
        #expect(longer.start() == .fetch(from: 0, after: 0))
    }

    @Test func aFreshDownloadThatMismatchesFailsAtOnce() {
        var download = BlobDownload(size: 10, partialBytes: 0, policy: policy)
        _ = download.start()
        _ = download.receive(head: ok(200))
        _ = download.receive(bodyBytes: 10)
        _ = download.finished(transportError: nil)
        #expect(download.verified(false) == .fail(.digestMismatch))
    }

    @Test func moreBytesThanTheBlobHasAreRefused() {
        var announced = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = announced.start()
        #expect(announced.receive(head: ok(200, ["Content-Length": "9223372036854775807"])) == .abort)
        #expect(announced.finished(transportError: "aborted") == .fail(.tooLarge))

        var streamed = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = streamed.start()
        _ = streamed.receive(head: ok(200))
        #expect(streamed.receive(bodyBytes: 90) == true)
        #expect(streamed.receive(bodyBytes: 20) == false)
        #expect(streamed.finished(transportError: "aborted") == .fail(.tooLarge))
    }

    @Test func statusAnswers() {
        var missing = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = missing.start()
        #expect(missing.receive(head: ok(404)) == .discard)
        #expect(missing.finished(transportError: nil) == .fail(.status(404)))

        var busy = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = busy.start()
        _ = busy.receive(head: ok(429, ["Retry-After": "3"]))
        #expect(busy.finished(transportError: nil) == .fetch(from: 0, after: 3))
        _ = busy.receive(head: ok(503))
        #expect(busy.finished(transportError: nil) == .fetch(from: 0, after: 2))
        _ = busy.receive(head: ok(503))
        #expect(busy.finished(transportError: nil) == .fail(.status(503)))
    }

    @Test func aShortBodyWithoutAnErrorResumes() {
        var download = BlobDownload(size: 100, partialBytes: 0, policy: policy)
        _ = download.start()
        _ = download.receive(head: ok(200))
        _ = download.receive(bodyBytes: 50)
        #expect(download.finished(transportError: nil) == .fetch(from: 50, after: 1))
    }

    @Test(arguments: [
        ("bytes 0-99/100", ContentRange?.some(ContentRange("bytes 0-99/100")!)),
        ("bytes 5-9/*", ContentRange("bytes 5-9/*")),
        ("bytes 9-5/100", nil), ("bytes 0-99/50", nil), ("0-99/100", nil), ("bytes x-1/2", nil),
    ])
    func contentRanges(_ text: String, _ expected: ContentRange?) {
        #expect(ContentRange(text) == expected)
    }
}
