import ControllerLite
import Registry
import Testing

/// The list/watch/resync cycle, driven by hand: no server, no clock.
@Suite struct ListWatchMachineTests {
    private let start = ContinuousClock.now
    private func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    private func machine(resync: Int = 600) -> ListWatchMachine {
        ListWatchMachine(
            resyncPeriod: .seconds(resync), backoff: RetryPolicy(maxAttempts: .max, baseDelay: 1, maxDelay: 8), maxWatchSeconds: 300, now: start)
    }

    @Test func listThenWatchFromTheListsVersionAndResumeWhereTheStreamGot() {
        var machine = machine()
        #expect(machine.start() == .list)
        #expect(machine.listed(resourceVersion: "10", at: at(0)) == .watch(from: "10", timeoutSeconds: 300))
        machine.observed(resourceVersion: "12")
        machine.observed(resourceVersion: "15")
        // The server ended the watch (its timeout): resume from the last event, no LIST.
        #expect(machine.watchEnded(.closed, at: at(300)) == .watch(from: "15", timeoutSeconds: 300))
        #expect(machine.resourceVersion == "15")
    }

    @Test func goneMeansListAgain() {
        var machine = machine()
        _ = machine.listed(resourceVersion: "10", at: at(0))
        machine.observed(resourceVersion: "11")
        #expect(machine.watchEnded(.expired, at: at(5)) == .list)
        #expect(machine.resourceVersion == nil)
        #expect(machine.listed(resourceVersion: "40", at: at(6)) == .watch(from: "40", timeoutSeconds: 300))
    }

    @Test func failuresBackOffExponentiallyWithinBoundsAndSuccessResets() {
        var machine = machine()
        _ = machine.listed(resourceVersion: "10", at: at(0))
        let waits = (1...6).map { _ -> ListWatchMachine.Step in machine.watchEnded(.failed, at: at(10)) }
        #expect(waits == [1, 2, 4, 8, 8, 8].map { .wait(seconds: $0) })
        // After the wait, the watch resumes from where it was.
        #expect(machine.waited(at: at(20)) == .watch(from: "10", timeoutSeconds: 300))
        #expect(machine.watchEnded(.closed, at: at(320)) == .watch(from: "10", timeoutSeconds: 280))
        #expect(machine.watchEnded(.failed, at: at(330)) == .wait(seconds: 1))
    }

    @Test func aFailedListIsRetriedAsAList() {
        var machine = machine()
        #expect(machine.listFailed() == .wait(seconds: 1))
        #expect(machine.listFailed() == .wait(seconds: 2))
        #expect(machine.waited(at: at(3)) == .list)
    }

    @Test func watchesEndInTimeForTheResync() {
        var machine = machine(resync: 100)
        #expect(machine.listed(resourceVersion: "1", at: at(0)) == .watch(from: "1", timeoutSeconds: 100))
        #expect(machine.watchEnded(.closed, at: at(40)) == .watch(from: "1", timeoutSeconds: 60))
        #expect(machine.watchEnded(.closed, at: at(100)) == .resync)
        #expect(machine.resynced(at: at(101)) == .watch(from: "1", timeoutSeconds: 100))
    }

    @Test func aWatchTheServerEndsAtOnceCountsAsAFailure() {
        var machine = machine()
        _ = machine.listed(resourceVersion: "7", at: at(0))
        #expect(machine.watchEnded(.closed, at: start + .milliseconds(10)) == .wait(seconds: 1))
        #expect(machine.waited(at: at(2)) == .watch(from: "7", timeoutSeconds: 300))
    }

    @Test func bookmarksAndEventsWithoutVersionLeaveItAlone() {
        var machine = machine()
        _ = machine.listed(resourceVersion: "3", at: at(0))
        machine.observed(resourceVersion: nil)
        machine.observed(resourceVersion: "")
        #expect(machine.resourceVersion == "3")
    }
}
