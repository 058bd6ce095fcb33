import ControllerLite
import Registry
import Testing

@Suite struct WorkQueueTests {
    @Test func aKeyIsQueuedOnceAndNeverWorkedOnTwiceAtOnce() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.count == 2)
        let first = await queue.next()
        #expect(first == "a")
        // Changed while being worked on: held back, not handed to a second worker.
        await queue.add("a")
        #expect(await queue.next() == "b")
        #expect(await queue.count == 0)
        await queue.done("a")
        #expect(await queue.next() == "a")
        await queue.done("a")
        await queue.done("b")
        #expect(await queue.count == 0)
    }

    @Test func aWaitingWorkerGetsTheNextKeyAndShutdownReleasesThemAll() async {
        let queue = WorkQueue<String>()
        async let waiting = queue.next()
        try? await Task.sleep(for: .milliseconds(50))
        await queue.add("late")
        #expect(await waiting == "late")
        async let released = queue.next()
        try? await Task.sleep(for: .milliseconds(50))
        await queue.shutDown()
        #expect(await released == nil)
        await queue.add("ignored")
        #expect(await queue.next() == nil)
    }

    @Test func failedKeysComeBackAfterAGrowingDelay() async {
        let queue = WorkQueue<String>(backoff: RetryPolicy(maxAttempts: .max, baseDelay: 0.01, maxDelay: 0.04))
        await queue.add("k")
        #expect(await queue.next() == "k")
        #expect(await queue.retry("k") == 0.01)
        await queue.done("k")
        #expect(await queue.next() == "k")
        #expect(await queue.retry("k") == 0.02)
        await queue.done("k")
        #expect(await queue.next() == "k")
        await queue.forget("k")
        #expect(await queue.retry("k") == 0.01)
        await queue.done("k")
        await queue.shutDown()
    }
}
