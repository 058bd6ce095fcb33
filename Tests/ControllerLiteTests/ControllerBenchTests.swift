@testable import ControllerLite
import Foundation
import Testing
import TestSupport

/// `build/bench controller`: KLEVER_BENCH_CONTROLLER ModelJobs through a `klever
/// controller` process and the stand-in. Prints the time until every Job exists, the
/// time from the stand-in starting to complete them to every ModelJob Succeeded, and the
/// controller's peak RSS.
@Suite struct ControllerBenchTests {
    static let count = ProcessInfo.processInfo.environment["KLEVER_BENCH_CONTROLLER"].flatMap { Int($0) }

    @Test(.enabled(if: count != nil), .timeLimit(.minutes(10)))
    func modelJobsToSucceeded() async throws {
        let count = try #require(Self.count)
        let harness = try await ControllerHarness.start()
        let folder = try TemporaryDirectory()
        let kubeconfig = folder.url.appendingPathComponent("kubeconfig")
        try harness.standIn.writeKubeconfig(to: kubeconfig)
        let controller = try ControllerProcess(kubeconfig: kubeconfig, folder: folder.url)
        try await controller.waitUntilReady()
        let idle = controller.peakRSS ?? 0
        let names = (0..<count).map { String(format: "bench-%05d", $0) }

        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Eight users creating ModelJobs at once.
            for slice in 0..<8 {
                group.addTask {
                    for name in names[slice...].enumerated().filter({ $0.offset % 8 == 0 }).map(\.element) {
                        _ = try await harness.client.create(ControllerHarness.extraction(name))
                    }
                }
            }
            try await group.waitForAll()
        }
        let created = ContinuousClock.now - started
        try await harness.eventually("\(count) jobs", within: 300) { await harness.store.count(of: "jobs") == count }
        let jobsCreated = ContinuousClock.now - started

        let completing = ContinuousClock.now
        for name in names {
            let key = ObjectKey(namespace: "models", name: name)
            try await harness.store.startPod(ofJob: key)
            try await harness.store.finish(job: key, .succeeded)
        }
        let completed = ContinuousClock.now - completing
        try await harness.eventually("\(count) Succeeded", within: 300) {
            await harness.store.count(of: "modeljobs") { $0[path: "status.phase"]?.string == "Succeeded" } == count
        }
        let succeeded = ContinuousClock.now - completing
        let peak = controller.peakRSS ?? 0
        #expect(try await controller.terminate() == 0)
        #expect(await harness.store.count("POST jobs") == count)
        print(String(
            format: "controller bench: %d ModelJobs (created by 8 clients in %.2f s); every Job created %.2f s after the first ModelJob; every ModelJob Succeeded %.2f s after the stand-in began completing the Jobs (which took it %.2f s); controller peak RSS %.1f MiB (%.1f MiB idle)",
            count, created.seconds, jobsCreated.seconds, succeeded.seconds, completed.seconds, peak, idle))
        await harness.stop()
    }
}
