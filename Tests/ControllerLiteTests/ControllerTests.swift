import ControllerLite
import Foundation
import ModelPackage
import Testing

/// The controller against the API server stand-in: real requests, real watches.
@Suite(.serialized) struct ControllerTests {
    @Test func aModelJobGetsItsJobAndFollowsItToSucceeded() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let created = try await harness.client.create(ControllerHarness.extraction("resnet"))
        let key = created.key

        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let job = try #require(try await harness.store.decoded(Job.self, key))
        let owner = try #require(job.metadata.ownerReferences?.first)
        #expect(owner.uid == created.metadata.uid && owner.kind == "ModelJob" && owner.controller == true)
        #expect(job.spec.template.spec.containers.first?.command == ["klever", "job"])

        try await harness.store.startPod(ofJob: key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .running, message: "extracting model"))
        try await harness.store.finish(job: key, .succeeded)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .succeeded, message: "model extracted"))

        // An Event per phase change, for `kubectl describe`.
        try await harness.eventually("three events") { await harness.store.all("events").count >= 3 }
        let events = await harness.store.all("events").sorted { ($0[path: "metadata.resourceVersion"]?.string.flatMap { Int($0) } ?? 0) < ($1[path: "metadata.resourceVersion"]?.string.flatMap { Int($0) } ?? 0) }
        #expect(events.compactMap { $0["reason"]?.string } == ["Pending", "Running", "Succeeded"])
        #expect(events.allSatisfy { $0[path: ["involvedObject", "uid"]] == .string(created.metadata.uid ?? "") })
        #expect(await harness.store.count("POST jobs") == 1)
        try await harness.expectWrittenManifestsValid()
        await running.stop()
        await harness.stop()
    }

    @Test func aJobTheCacheHasYetToSeeIsNotAskedForAgain() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        // The Job watch lags: the ModelJob's own changes come back before its Job does.
        await harness.store.holdWatchEvents(of: "jobs")
        let key = try await harness.client.create(ControllerHarness.extraction("lagging")).key
        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let label = JSONValue.object(["metadata": .object(["labels": .object(["touched": .string("yes")])])])
        _ = try await harness.client.patch(ModelJob.self, key, mergePatch: label)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await harness.store.count("POST jobs") == 1, "a Job made moments ago is not asked for again")

        await harness.store.releaseWatchEvents(of: "jobs")
        try await harness.store.startPod(ofJob: key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .running, message: "extracting model"))
        #expect(await harness.store.count("POST jobs") == 1)
        await running.stop()
        await harness.stop()
    }

    @Test func eachExitCodeOfTheWorkerBecomesTheOriginalMessage() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController(workers: 4)
        let cases: [(String, KubeStore.Ending, String)] = [
            ("login", .exitCode(10000), "failed to login to the model registry"),
            ("pull", .exitCode(10001), "failed to pull model"),
            ("export", .exitCode(10002), "failed to export model"),
            ("task", .exitCode(10003), "failed to extract model"),
            ("save", .exitCode(10004), "failed to save model"),
            ("push", .exitCode(10005), "failed to push model"),
            ("memory", .oomKilled, "container out of memory"),
        ]
        var keys: [ObjectKey] = []
        for (name, _, _) in cases { keys.append(try await harness.client.create(ControllerHarness.extraction(name)).key) }
        try await harness.eventually("every job") { await harness.store.all("jobs").count == cases.count }
        for (key, (_, ending, _)) in zip(keys, cases) {
            try await harness.store.startPod(ofJob: key)
            try await harness.store.finish(job: key, ending)
        }
        for (key, (_, _, message)) in zip(keys, cases) {
            try await harness.waitForStatus(key, ModelJobStatus(phase: .failed, message: message))
        }
        try await harness.eventually("a warning per failure") {
            await harness.store.all("events").filter { $0["type"]?.string == "Warning" }.count == cases.count
        }
        await running.stop()
        await harness.stop()
    }

    @Test func aDeletedModelJobTakesItsJobAndNothingIsMadeAgain() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let key = try await harness.client.create(ControllerHarness.extraction("gone")).key
        // Someone else's finalizer holds the ModelJob while it is being deleted.
        let hold = JSONValue.object(["metadata": .object(["finalizers": .array([.string("example.com/hold")])])])
        _ = try await harness.client.patch(ModelJob.self, key, mergePatch: hold)
        try await harness.eventually("the job") { await harness.store.object("jobs", key) != nil }
        try await harness.store.startPod(ofJob: key)

        try await harness.client.delete(ModelJob.self, key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .deleting, message: "deleting"))
        let release = JSONValue.object(["metadata": .object(["finalizers": .null])])
        _ = try await harness.client.patch(ModelJob.self, key, mergePatch: release)
        // Gone, and its Job and pod with it (owner references).
        try await harness.eventually("the job to be collected") {
            let modelJob = await harness.store.object("modeljobs", key), jobs = await harness.store.all("jobs"), pods = await harness.store.all("pods")
            return modelJob == nil && jobs.isEmpty && pods.isEmpty
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(await harness.store.all("jobs").isEmpty)
        #expect(await harness.store.count("POST jobs") == 1)
        await running.stop()
        await harness.stop()
    }

    @Test func aModelJobMadeAgainUnderTheSameNameWaitsForTheOldJobToGo() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let first = try await harness.client.create(ControllerHarness.extraction("again"))
        let key = first.key
        try await harness.eventually("the first job") { await harness.store.object("jobs", key) != nil }
        // A finalizer keeps the old Job a while after its ModelJob is gone.
        _ = try await harness.client.patch(Job.self, key, mergePatch: .object(["metadata": .object(["finalizers": .array([.string("example.com/slow")])])]))
        try await harness.store.startPod(ofJob: key)
        try await harness.store.finish(job: key, .succeeded)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .succeeded, message: "model extracted"))
        try await harness.client.delete(ModelJob.self, key)

        let second = try await harness.client.create(ControllerHarness.extraction("again"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await harness.status(key) == nil, "the old Job's success is not the new ModelJob's")
        _ = try await harness.client.patch(Job.self, key, mergePatch: .object(["metadata": .object(["finalizers": .null])]))
        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let job = try #require(try await harness.store.decoded(Job.self, key))
        #expect(job.metadata.ownerReferences?.first?.uid == second.metadata.uid)
        #expect(await harness.store.count("POST jobs") == 2)
        await running.stop()
        await harness.stop()
    }

    @Test func aControllerRestartedMidwayMakesNoSecondJobAndLosesNoStatus() async throws {
        let harness = try await ControllerHarness.start()
        let first = harness.startController()
        let key = try await harness.client.create(ControllerHarness.extraction("restart")).key
        try await harness.eventually("the job") { await harness.store.object("jobs", key) != nil }
        try await harness.store.startPod(ofJob: key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .running, message: "extracting model"))
        await first.stop()

        // The Job finishes while no controller runs.
        try await harness.store.finish(job: key, .succeeded)
        let second = harness.startController()
        try await harness.waitForStatus(key, ModelJobStatus(phase: .succeeded, message: "model extracted"))
        #expect(await harness.store.count("POST jobs") == 1)
        #expect(await harness.store.all("jobs").count == 1)

        // A third controller finds everything finished and writes nothing.
        await second.stop()
        let writes = await harness.store.count("PUT modeljobs/status")
        let third = harness.startController()
        try await harness.eventually("the third controller to fill its caches") { third.controller.isReady }
        try await Task.sleep(for: .milliseconds(300))
        #expect(await harness.store.count("PUT modeljobs/status") == writes)
        #expect(await harness.store.count("POST jobs") == 1)
        await third.stop()
        await harness.stop()
    }

    @Test func expiredWatchesAreFollowedByAFreshList() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let key = try await harness.client.create(ControllerHarness.extraction("relist")).key
        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let lists = await ["modeljobs", "jobs", "pods"].asyncMap { await harness.store.count("LIST \($0)") }

        // etcd compacted: every watch gets ERROR 410, and resuming from its version is refused.
        await harness.store.compactHistory()
        try await harness.store.startPod(ofJob: key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .running, message: "extracting model"))
        try await harness.eventually("a second list of each kind") {
            let now = await ["modeljobs", "jobs", "pods"].asyncMap { await harness.store.count("LIST \($0)") }
            return zip(now, lists).allSatisfy { $0 > $1 }
        }
        try await harness.store.finish(job: key, .succeeded)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .succeeded, message: "model extracted"))
        await running.stop()
        await harness.stop()
    }

    @Test func aStatusUpdateThatMeetsANewerVersionIsRetried() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let key = try await harness.client.create(ControllerHarness.extraction("conflict")).key
        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))

        // Someone labels the ModelJob just before the controller writes its next status.
        await harness.store.interfere(beforeNextStatusUpdateOf: "modeljobs", key) { modelJob in
            modelJob[path: ["metadata", "labels", "team"]] = .string("vision")
        }
        try await harness.store.startPod(ofJob: key)
        try await harness.waitForStatus(key, ModelJobStatus(phase: .running, message: "extracting model"))
        let modelJob = try #require(try await harness.store.decoded(ModelJob.self, key))
        #expect(modelJob.metadata.labels?["team"] == "vision", "the other writer's change is kept")
        #expect(running.controller.metrics.render(modelJobsByPhase: [:]).contains("klever_status_conflicts_total 1"))
        await running.stop()
        await harness.stop()
    }

    @Test func metricsCountModelJobsByPhaseAndReconciles() async throws {
        let harness = try await ControllerHarness.start()
        let running = harness.startController()
        let done = try await harness.client.create(ControllerHarness.extraction("done")).key
        let waiting = try await harness.client.create(ControllerHarness.extraction("waiting")).key
        try await harness.eventually("both jobs") { await harness.store.all("jobs").count == 2 }
        try await harness.store.startPod(ofJob: done)
        try await harness.store.finish(job: done, .succeeded)
        try await harness.waitForStatus(done, ModelJobStatus(phase: .succeeded, message: "model extracted"))
        try await harness.waitForStatus(waiting, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        try await harness.eventually("the cache to see both statuses") {
            running.controller.modelJobsByPhase()["Succeeded"] == 1 && running.controller.modelJobsByPhase()["Pending"] == 1
        }
        let text = running.controller.metrics.render(modelJobsByPhase: running.controller.modelJobsByPhase())
        #expect(text.contains(#"klever_modeljobs{phase="Succeeded"} 1"#) && text.contains(#"klever_modeljobs{phase="Running"} 0"#))
        #expect(text.contains("# TYPE klever_reconcile_duration_seconds histogram"))
        #expect(text.contains(#"klever_reconcile_duration_seconds_bucket{le="+Inf"}"#))
        #expect(!text.contains(#"klever_reconcile_total{result="success"} 0"#))
        await running.stop()
        await harness.stop()
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
