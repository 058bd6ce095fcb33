import ControllerLite
import Foundation
import Testing
import TestSupport
import Yams

/// `deploy/`: what an operator applies.
@Suite struct DeployManifestTests {
    private static let deploy = Fixtures.repositoryRoot.appendingPathComponent("deploy")

    private static func documents(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: deploy.appendingPathComponent(path), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    @Test(arguments: ["rbac.yaml", "controller.yaml", "examples/extraction.yaml", "examples/conversion.yaml"])
    func manifestsPassTheSchemas(file: String) throws {
        // ClusterRole and ClusterRoleBinding have no schema there: they are checked below.
        let result = try SharedTools.run("validate-manifest", ["--strict", "--skip-unknown", Self.deploy.appendingPathComponent(file).path])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("INVALID"), "\(result.output)")
    }

    @Test func theCRDHasTheOriginalsGroupNamesVersionAndFields() throws {
        let crd = try #require(try Self.documents("crd/modeljobs.kleveross.io.yaml").first)
        let original = try #require(try Yams.load_all(yaml: String(
            contentsOf: Fixtures.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/kleveross.io_modeljobs-crd.yaml"),
            encoding: .utf8)).compactMap { $0 as? [String: Any] }.first)
        #expect(crd["apiVersion"] as? String == "apiextensions.k8s.io/v1" && crd["kind"] as? String == "CustomResourceDefinition")
        #expect((crd["metadata"] as? [String: Any])?["name"] as? String == "modeljobs.kleveross.io")
        let spec = try #require(crd["spec"] as? [String: Any]), originalSpec = try #require(original["spec"] as? [String: Any])
        #expect(spec["group"] as? String == "kleveross.io" && spec["scope"] as? String == "Namespaced")
        #expect(NSDictionary(dictionary: try #require(spec["names"] as? [String: Any])) == NSDictionary(dictionary: try #require(originalSpec["names"] as? [String: Any])))
        let version = try #require((spec["versions"] as? [[String: Any]])?.first)
        #expect(version["name"] as? String == "v1alpha1" && version["served"] as? Bool == true && version["storage"] as? Bool == true)
        #expect((version["subresources"] as? [String: Any])?["status"] != nil)

        let schema = try #require((version["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])
        let originalVersion = try #require((originalSpec["versions"] as? [[String: Any]])?.first)
        let originalSchema = try #require((originalVersion["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])
        // The same fields down to the ModelJob's own (Container and EnvVar keep theirs).
        for path in [[], ["spec"], ["status"], ["spec", "extraction"], ["spec", "conversion"], ["spec", "conversion", "mmdnn"]] {
            #expect(Self.fields(schema, path) == Self.fields(originalSchema, path), "at \(path)")
        }
        #expect(Self.required(schema, ["status"]) == ["message", "phase"])
        let env = try #require(Self.node(schema, ["spec", "env"])?["items"] as? [String: Any])
        #expect(env["required"] as? [String] == ["name"] && (env["properties"] as? [String: Any])?["valueFrom"] != nil)
        let initContainer = try #require(Self.node(schema, ["spec", "initContainer"])?["items"] as? [String: Any])
        #expect(initContainer["required"] as? [String] == ["name"] && initContainer["x-kubernetes-preserve-unknown-fields"] as? Bool == true)
    }

    @Test func theClusterRoleAllowsWhatTheControllerDoes() throws {
        let documents = try Self.documents("rbac.yaml")
        let role = try #require(documents.first { $0["kind"] as? String == "ClusterRole" })
        var allowed: Set<String> = []
        for rule in role["rules"] as? [[String: Any]] ?? [] {
            for group in rule["apiGroups"] as? [String] ?? [] {
                for resource in rule["resources"] as? [String] ?? [] {
                    for verb in rule["verbs"] as? [String] ?? [] { allowed.insert("\(verb) \(resource).\(group)") }
                }
            }
        }
        let needed = [
            "list modeljobs.kleveross.io", "watch modeljobs.kleveross.io", "get modeljobs.kleveross.io", "create modeljobs.kleveross.io",
            "update modeljobs/status.kleveross.io", "list jobs.batch", "watch jobs.batch", "create jobs.batch", "list pods.", "watch pods.",
            "create events.",
        ]
        #expect(Set(needed).subtracting(allowed).isEmpty, "missing: \(Set(needed).subtracting(allowed))")
        let binding = try #require(documents.first { $0["kind"] as? String == "ClusterRoleBinding" })
        let subject = try #require((binding["subjects"] as? [[String: Any]])?.first)
        let account = try #require(documents.first { $0["kind"] as? String == "ServiceAccount" })
        let accountMeta = try #require(account["metadata"] as? [String: Any])
        #expect(subject["name"] as? String == accountMeta["name"] as? String && subject["namespace"] as? String == accountMeta["namespace"] as? String)
        #expect((binding["roleRef"] as? [String: Any])?["name"] as? String == (role["metadata"] as? [String: Any])?["name"] as? String)
    }

    @Test func theExampleModelJobsAreRunnable() throws {
        for file in ["examples/extraction.yaml", "examples/conversion.yaml"] {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent(file), encoding: .utf8)
            let modelJob = try YAMLDecoder().decode(ModelJob.self, from: text)
            _ = try WorkerTask(modelJob)
        }
    }

    @Test func theServingExampleComposesAValidSeldonDeployment() throws {
        let composed = try KleverProcess.run(["compose-serving", Self.deploy.appendingPathComponent("examples/serving.yaml").path])
        #expect(composed.status == 0, "\(composed.stderr)")
        let result = try SharedTools.run("validate-manifest", ["--strict", "-"], stdin: composed.stdout)
        #expect(result.status == 0, "\(result.output)")
    }

    private static func node(_ schema: [String: Any], _ path: [String]) -> [String: Any]? {
        var node: [String: Any]? = schema
        for key in path { node = (node?["properties"] as? [String: Any])?[key] as? [String: Any] }
        return node
    }

    private static func fields(_ schema: [String: Any], _ path: [String]) -> Set<String> {
        Set(((node(schema, path)?["properties"] as? [String: Any]) ?? [:]).keys)
    }

    private static func required(_ schema: [String: Any], _ path: [String]) -> [String] {
        (node(schema, path)?["required"] as? [String] ?? []).sorted()
    }
}
