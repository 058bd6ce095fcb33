import ControllerLite
import Foundation
import Logging
import ModelPackage
import Testing
import TestSupport

/// A stand-in API server, a client of it, and controllers to start and stop against it.
final class ControllerHarness: Sendable {
    let standIn: KubeStandIn
    let client: KubernetesClient
    var store: KubeStore { standIn.store }

    static let logger: Logger = {
        var logger = Logger(label: "klever.test")
        logger.logLevel = ProcessInfo.processInfo.environment["KLEVER_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    private init(standIn: KubeStandIn) {
        self.standIn = standIn
        client = KubernetesClient(config: standIn.clusterConfig, logger: Self.logger)
    }

    static func start() async throws -> ControllerHarness { ControllerHarness(standIn: try await KubeStandIn.start()) }

    func stop() async { await standIn.stop() }

    /// A running controller; `stop()` ends it as a SIGTERM would.
    struct Running: Sendable {
        let controller: ModelJobController
        private let task: Task<Void, Never>

        init(_ controller: ModelJobController) {
            self.controller = controller
            task = Task { await controller.run() }
        }

        func stop() async {
            task.cancel()
            await task.value
        }
    }

    func startController(workers: Int = 2) -> Running {
        var options = ModelJobController.Options()
        options.workers = workers
        return Running(ModelJobController(client: client, settings: ReconcilerTests.settings, options: options, logger: Self.logger))
    }

    /// An extraction ModelJob as a user would create it (no uid: the server gives one).
    static func extraction(_ name: String) -> ModelJob {
        ModelJob(metadata: ObjectMeta(name: name, namespace: "models"), spec: ModelJobSpec(model: "release/\(name):v1", extraction: .init(format: "ONNX")))
    }

    func status(_ key: ObjectKey) async throws -> ModelJobStatus? { try await store.decoded(ModelJob.self, key)?.status }

    /// Waits until `condition` holds, checking every 20 ms; fails the test after `seconds`.
    func eventually(
        _ what: @autoclosure () -> String, within seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what())", sourceLocation: sourceLocation)
        throw StandInError("timed out waiting for \(what())")
    }

    func waitForStatus(_ key: ObjectKey, _ expected: ModelJobStatus, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var last: ModelJobStatus?
        try await eventually("\(key) to be \(expected), not \(String(describing: last))", sourceLocation: sourceLocation) {
            last = try await status(key)
            return last == expected
        }
    }

    /// Every Job and ModelJob the controller wrote passes `validate-manifest --strict`.
    func expectWrittenManifestsValid(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let manifests = await store.written.filter { ["Job", "ModelJob"].contains($0["kind"]?.string ?? "") }
        #expect(!manifests.isEmpty, sourceLocation: sourceLocation)
        let documents = manifests.map { String(decoding: $0.data, as: UTF8.self) }.joined(separator: "\n---\n")
        let result = try SharedTools.run("validate-manifest", ["--strict", "-"], stdin: documents)
        #expect(result.status == 0, "\(result.output)", sourceLocation: sourceLocation)
    }
}
