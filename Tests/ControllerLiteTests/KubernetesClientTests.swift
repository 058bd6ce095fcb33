import ControllerLite
import Foundation
import ModelPackage
import Testing

/// The client against the API server stand-in.
@Suite struct KubernetesClientTests {
    @Test func createGetListUpdateAndDeleteWithTheServersRules() async throws {
        let harness = try await ControllerHarness.start()
        let client = harness.client
        let created = try await client.create(ControllerHarness.extraction("crud"))
        #expect(created.metadata.uid != nil && created.metadata.resourceVersion != nil && created.metadata.generation == 1)
        let taken = await #expect(throws: KubernetesError.self) { try await client.create(ControllerHarness.extraction("crud")) }
        #expect(taken?.isAlreadyExists == true && taken?.isConflict == false)

        var changed = created
        changed.spec.model = "release/crud:v2"
        let updated = try await client.update(changed)
        #expect(updated.spec.model == "release/crud:v2" && updated.metadata.generation == 2)
        // The old version is stale now.
        let stale = await #expect(throws: KubernetesError.self) { try await client.update(changed) }
        #expect(stale?.isConflict == true && stale?.statusCode == 409)

        // The status subresource takes the status and nothing else.
        var status = updated
        status.status = ModelJobStatus(phase: .running, message: "extracting model")
        status.spec.model = "ignored"
        let written = try await client.updateStatus(status)
        #expect(written.status?.phase == .running && written.spec.model == "release/crud:v2")
        // And the main resource ignores the status.
        var main = written
        main.status = ModelJobStatus(phase: .failed, message: "ignored")
        #expect(try await client.update(main).status?.phase == .running)

        let patched = try await client.patch(
            ModelJob.self, created.key, mergePatch: .object(["metadata": .object(["labels": .object(["team": .string("vision")])])]))
        #expect(patched.metadata.labels == ["team": "vision"])
        #expect(try await client.list(ModelJob.self, namespace: "models", labelSelector: "team=vision").items.count == 1)
        #expect(try await client.list(ModelJob.self, labelSelector: "team=audio").items.isEmpty)

        try await client.delete(ModelJob.self, created.key)
        let missing = await #expect(throws: KubernetesError.self) { try await client.get(ModelJob.self, created.key) }
        #expect(missing?.isNotFound == true)
        await harness.stop()
    }

    @Test func aWatchStreamsWhatHappensAfterTheListAndEndsWithABookmark() async throws {
        let harness = try await ControllerHarness.start()
        let client = harness.client
        _ = try await client.create(ControllerHarness.extraction("before"))
        let list = try await client.list(ModelJob.self, namespace: "models")
        #expect(list.items.map(\.metadata.name) == ["before"])
        var after = try await client.create(ControllerHarness.extraction("after"))
        after.status = ModelJobStatus(phase: .pending, message: "waiting")
        _ = try await client.updateStatus(after)
        try await client.delete(ModelJob.self, after.key)

        var seen: [String] = []
        for try await event in client.watch(ModelJob.self, namespace: "models", from: list.resourceVersion, timeoutSeconds: 1) {
            switch event {
            case .added(let object): seen.append("ADDED \(object.metadata.name ?? "")")
            case .modified(let object): seen.append("MODIFIED \(object.status?.phase?.rawValue ?? "")")
            case .deleted(let object): seen.append("DELETED \(object.metadata.name ?? "")")
            case .bookmark: seen.append("BOOKMARK")
            case .error(let status): seen.append("ERROR \(status.code ?? 0)")
            }
        }
        #expect(seen == ["ADDED after", "MODIFIED Pending", "DELETED after", "BOOKMARK"])
        await harness.stop()
    }

    @Test func aWatchFromCompactedHistoryIsGone() async throws {
        let harness = try await ControllerHarness.start()
        let list = try await harness.client.list(Pod.self)
        await harness.store.compactHistory()
        let error = await #expect(throws: KubernetesError.self) {
            for try await _ in harness.client.watch(Pod.self, from: list.resourceVersion, timeoutSeconds: 5) {}
        }
        #expect(error?.isGone == true)
        await harness.stop()
    }

    @Test func aConsumerThatStopsEndsItsWatch() async throws {
        let harness = try await ControllerHarness.start()
        let list = try await harness.client.list(ModelJob.self)
        let watching = Task {
            for try await _ in harness.client.watch(ModelJob.self, from: list.resourceVersion, timeoutSeconds: 60) {}
        }
        try await harness.eventually("the watch to open") { await harness.store.openWatches == 1 }
        watching.cancel()
        // libcurl looks at the cancellation about once a second, idle or not, and closes
        // the connection. The server learns of it by writing: the first write after the
        // close still fills the socket's buffer, the next one fails.
        try await Task.sleep(for: .milliseconds(1500))
        var written = 0
        try await harness.eventually("the watch to close", within: 10) {
            written += 1
            _ = try await harness.client.create(ControllerHarness.extraction("after-\(written)"))
            try await Task.sleep(for: .milliseconds(100))
            return await harness.store.openWatches == 0
        }
        await harness.stop()
    }

    @Test func overloadedServersAreRetriedWithinBounds() async throws {
        let harness = try await ControllerHarness.start()
        var options = KubernetesClient.Options()
        options.retry = .init(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02)
        let client = KubernetesClient(config: harness.standIn.clusterConfig, options: options, logger: ControllerHarness.logger)
        let key = try await client.create(ControllerHarness.extraction("busy")).key
        await harness.store.inject(503, times: 2, into: "GET modeljobs")
        #expect(try await client.get(ModelJob.self, key).metadata.name == "busy")
        await harness.store.inject(503, times: 3, into: "GET modeljobs")
        let error = await #expect(throws: KubernetesError.self) { try await client.get(ModelJob.self, key) }
        #expect(error?.statusCode == 503 && error?.isTransient == true)
        #expect(await harness.store.count("GET modeljobs") == 6)
        await harness.stop()
    }

    @Test func aWrongTokenIsRefused() async throws {
        let harness = try await ControllerHarness.start()
        var config = harness.standIn.clusterConfig
        config.authentication = .token("wrong")
        let error = await #expect(throws: KubernetesError.self) {
            try await KubernetesClient(config: config, logger: ControllerHarness.logger).list(Job.self)
        }
        #expect(error?.statusCode == 401 && error?.isTransient == false)
        await harness.stop()
    }
}
