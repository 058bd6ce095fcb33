import ControllerLite
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Local mode writes a ModelJob's status into its file and keeps the rest of the file.
@Suite struct ModelJobFileTests {
    private static let succeeded = ModelJobStatus(phase: .succeeded, message: "model extracted")

    private func written(_ text: String, name: String = "job.yaml", status: ModelJobStatus = succeeded) throws -> String {
        let scratch = try TemporaryDirectory()
        let url = try scratch.write(name, text)
        try ModelJobFile(url: url).write(status)
        let result = try String(contentsOf: url, encoding: .utf8)
        let validation = try SharedTools.run("validate-manifest", ["--strict", url.path])
        #expect(validation.status == 0, "\(validation.output)")
        #expect(try ModelJobFile(url: url).modelJob.status == status)
        return result
    }

    @Test func aYAMLStatusBlockIsReplacedInPlace() throws {
        let text = """
            # resnet, extracted locally
            apiVersion: kleveross.io/v1alpha1
            kind: ModelJob
            metadata:
              name: resnet   # same name as the model
              annotations: {team: vision}
            status:
              phase: Running
              message: extracting model

            # what to do
            spec:
              model: release/resnet:v1
              extraction: {format: ONNX}

            """
        #expect(try written(text) == """
            # resnet, extracted locally
            apiVersion: kleveross.io/v1alpha1
            kind: ModelJob
            metadata:
              name: resnet   # same name as the model
              annotations: {team: vision}
            status:
              phase: "Succeeded"
              message: "model extracted"

            # what to do
            spec:
              model: release/resnet:v1
              extraction: {format: ONNX}

            """)
    }

    @Test func aYAMLFileWithoutStatusGetsOneAtTheEnd() throws {
        let text = "apiVersion: kleveross.io/v1alpha1\nkind: ModelJob\nmetadata:\n  name: resnet\nspec:\n  model: release/resnet:v1\n  extraction:\n    format: ONNX\n# end"
        let failed = ModelJobStatus(phase: .failed, message: "failed to pull model: \"quotes\" # and: colons")
        #expect(try written(text, status: failed) == text + "\nstatus:\n  phase: \"Failed\"\n  message: \"failed to pull model: \\\"quotes\\\" # and: colons\"\n")
    }

    @Test func aLayoutSplicingCannotHandleIsWrittenWhole() throws {
        // A document end marker: appending after it would start a second document.
        let text = "---\napiVersion: kleveross.io/v1alpha1\nkind: ModelJob\nmetadata: {name: resnet}\nspec: {model: \"release/resnet:v1\", extraction: {format: ONNX}}\n...\n"
        let result = try written(text)
        #expect(result.contains("phase: \"Succeeded\""))
        #expect(!result.contains("..."))
    }

    @Test func aJSONFileStaysJSONWithItsKeysInOrder() throws {
        let text = #"{"kind": "ModelJob", "apiVersion": "kleveross.io/v1alpha1", "metadata": {"name": "resnet", "generation": 3, "labels": {}}, "#
            + #""spec": {"model": "release/resnet:v1", "extraction": {"format": "ONNX"}, "env": [{"name": "DEBUG", "value": "true"}]}, "status": {"phase": "Pending", "message": "waiting"}}"#
        let result = try written(text, name: "job.json")
        #expect(result == """
            {
              "kind": "ModelJob",
              "apiVersion": "kleveross.io/v1alpha1",
              "metadata": {
                "name": "resnet",
                "generation": 3,
                "labels": {}
              },
              "spec": {
                "model": "release/resnet:v1",
                "extraction": {
                  "format": "ONNX"
                },
                "env": [
                  {
                    "name": "DEBUG",
                    "value": "true"
                  }
                ]
              },
              "status": {
                "phase": "Succeeded",
                "message": "model extracted"
              }
            }

            """)
        #expect(try JSONSerialization.jsonObject(with: Data(result.utf8)) is [String: Any])
    }

    @Test(arguments: [
        ("kind: Job\napiVersion: batch/v1\nmetadata: {name: x}\nspec: {model: m, extraction: {format: ONNX}}\n", "apiVersion and kind must be"),
        ("- a\n- b\n", "expected one YAML or JSON object"),
        ("apiVersion: kleveross.io/v1alpha1\nkind: ModelJob\nmetadata: {name: x}\n", "not a ModelJob: "),
    ])
    func whatIsNotAModelJobIsAUsageError(text: String, message: String) throws {
        let scratch = try TemporaryDirectory()
        let url = try scratch.write("job.yaml", text)
        let error = try #require(throws: KleverError.self) { try ModelJobFile(url: url) }
        #expect(error.exitCode == 64 && error.file == url.path && error.detail.contains(message), "\(error)")
    }
}
