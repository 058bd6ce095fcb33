@testable import ControllerLite
import Testing

@Suite struct JobExpectationsTests {
    let key = ObjectKey(namespace: "models", name: "resnet")
    let start = ContinuousClock.now

    @Test func aCreatedJobIsAwaitedUntilItsWatchEventArrives() {
        var expectations = JobExpectations(timeout: .seconds(300))
        #expect(expectations.wait(for: key, at: start) == nil, "nothing created: the cache answers")
        expectations.created(key, at: start)
        #expect(expectations.wait(for: key, at: start + .seconds(1)) == .seconds(299))
        #expect(expectations.wait(for: ObjectKey(namespace: "other", name: "resnet"), at: start) == nil)
        expectations.observed(key)
        #expect(expectations.wait(for: key, at: start + .seconds(2)) == nil)
    }

    @Test func anExpectationLapsesSoAJobNeverSeenIsAskedForAgain() {
        var expectations = JobExpectations(timeout: .seconds(300))
        expectations.created(key, at: start)
        #expect(expectations.wait(for: key, at: start + .seconds(300)) == nil)
        #expect(expectations.wait(for: key, at: start + .seconds(1)) == nil, "a lapsed expectation is gone")
    }
}
