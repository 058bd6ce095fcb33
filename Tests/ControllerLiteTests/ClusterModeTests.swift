import ControllerLite
import Foundation
import ModelPackage
import Testing
import TestSupport

/// `klever controller` as a cluster runs it: a process with a kubeconfig.
@Suite struct ClusterModeTests {
    @Test func theCommandRunsModelJobsServesItsEndpointAndStopsOnSIGTERM() async throws {
        let harness = try await ControllerHarness.start()
        let folder = try TemporaryDirectory()
        let kubeconfig = folder.url.appendingPathComponent("kubeconfig")
        try harness.standIn.writeKubeconfig(to: kubeconfig)
        let controller = try ControllerProcess(kubeconfig: kubeconfig, folder: folder.url, arguments: ["--namespace", "models"])
        try await controller.waitUntilReady()

        let key = try await harness.client.create(ControllerHarness.extraction("cli")).key
        try await harness.waitForStatus(key, ModelJobStatus(phase: .pending, message: "waiting for the job to start"))
        let job = try #require(try await harness.store.decoded(Job.self, key))
        let container = try #require(job.spec.template.spec.containers.first)
        // The worker settings come from the controller's environment.
        #expect(container.image == "ghcr.io/kleveross/klever:test")
        #expect(container.env?.first { $0.name == "SERVER_ORMB_PASSWORD" }?.valueFrom?.secretKeyRef?.name == "ormb-credentials")

        let metrics = try await HTTPProbe.send("GET", controller.url("/metrics"))
        #expect(metrics.status == 200 && metrics.text.contains("klever_reconcile_total"))
        #expect(try await controller.terminate() == 0, "\((try? String(contentsOf: controller.log, encoding: .utf8)) ?? "")")
        await harness.stop()
    }

    @Test func withoutAClusterTheCommandSaysWhy() throws {
        let folder = try TemporaryDirectory()
        let result = try KleverProcess.run(["controller"], environment: ["HOME": folder.path, "KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": ""])
        #expect(result.status == KleverProcess.observed(KleverError.Code.usage.exitCode))
        #expect(result.errorLines.first?.contains("no kubeconfig there, and not running in a cluster") == true, "\(result.stderr)")
    }
}
