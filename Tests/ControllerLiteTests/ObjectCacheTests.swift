import ControllerLite
import Testing

@Suite struct ObjectCacheTests {
    private func pod(_ name: String, owner: String?, version: String, namespace: String = "models") -> Pod {
        var metadata = ObjectMeta(name: name, namespace: namespace, labels: owner.map { [JobComposer.modelJobLabel: $0] })
        metadata.resourceVersion = version
        return Pod(metadata: metadata, status: PodStatus(phase: "Running"))
    }

    @Test func aRelistReportsWhatChangedIncludingDeletions() {
        var cache = ObjectCache<Pod>(indexLabel: JobComposer.modelJobLabel)
        #expect(cache.replace(with: [pod("a", owner: "x", version: "1"), pod("b", owner: "y", version: "2")]).map(\.key.name) == ["a", "b"])
        let changes = cache.replace(with: [pod("a", owner: "x", version: "1"), pod("c", owner: "x", version: "5")])
        #expect(changes.map(\.key.name) == ["b", "c"])
        #expect(changes.first?.new == nil && changes.first?.old?.metadata.name == "b")
        #expect(cache.indexed(ObjectKey(namespace: "models", name: "x")).map(\.metadata.name) == ["a", "c"])
        #expect(cache.indexed(ObjectKey(namespace: "models", name: "y")).isEmpty)
    }

    @Test func eventsKeepTheIndexInStep() {
        var cache = ObjectCache<Pod>(indexLabel: JobComposer.modelJobLabel)
        let owner = ObjectKey(namespace: "models", name: "x")
        _ = cache.apply(.added(pod("a", owner: "x", version: "1")))
        _ = cache.apply(.added(pod("b", owner: "x", version: "2")))
        _ = cache.apply(.added(pod("c", owner: "x", version: "3", namespace: "other")))
        #expect(cache.indexed(owner).count == 2)
        // A label change moves a pod between index entries.
        let moved = cache.apply(.modified(pod("b", owner: "z", version: "4")))
        #expect(moved?.old?.metadata.labels?[JobComposer.modelJobLabel] == "x")
        #expect(cache.indexed(owner).map(\.metadata.name) == ["a"])
        let deleted = cache.apply(.deleted(pod("a", owner: "x", version: "5")))
        #expect(deleted?.new == nil && deleted?.old != nil)
        #expect(cache.indexed(owner).isEmpty && cache[ObjectKey(namespace: "models", name: "a")] == nil)
        #expect(cache.apply(.bookmark(resourceVersion: "9")) == nil)
    }
}
