import ControllerLite
import Foundation
import Logging
import ModelPackage
import Registry
import Testing
import TestSupport

/// A push to the local store writes one extraction ModelJob per model, where the local
/// controller looks.
@Suite struct ExtractionOnPushTests {
    private static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    private static let onnx = ModelPackageFolder(path: Fixtures.upstreamRoot.appendingPathComponent("onnx").path)
    private static let digest = Digest.of(Data("manifest".utf8))

    private func pushed(_ package: ModelPackageFolder = onnx, store: URL, environment: [String: String] = [:]) throws -> URL? {
        ExtractionOnPush.modelPushed(
            package, to: try ModelReference(parsing: "project/resnet_50:v1"), digest: Self.digest, store: store,
            environment: environment, logger: Self.logger)
    }

    @Test func oneModelJobPerDigestInTheStoresFolder() throws {
        let scratch = try TemporaryDirectory()
        let store = scratch.url.appendingPathComponent("store")
        #expect(try pushed(store: store) == nil, "no modeljobs/ folder: the hook is off")

        try FileManager.default.createDirectory(at: store.appendingPathComponent("modeljobs"), withIntermediateDirectories: true)
        let file = try #require(try pushed(store: store))
        #expect(file.lastPathComponent == "extract-project-resnet-50-\(Self.digest.hex.prefix(16)).yaml")
        let modelJob = try ModelJobFile(url: file).modelJob
        #expect(modelJob.spec.model == "project/resnet_50:v1" && modelJob.spec.extraction?.format == "ONNX")
        #expect(modelJob.metadata.annotations?[ExtractionOnPush.digestAnnotation] == Self.digest.description)
        let validation = try SharedTools.run("validate-manifest", ["--strict", file.path])
        #expect(validation.status == 0, "\(validation.output)")

        // The same model pushed again: the file (and the status a run gave it) stays.
        try ModelJobFile(url: file).write(ModelJobStatus(phase: .succeeded, message: "model extracted"))
        let content = try Data(contentsOf: file)
        #expect(try pushed(store: store) == nil)
        #expect(try Data(contentsOf: file) == content)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == [file.lastPathComponent])
    }

    @Test func theFolderOfTheVariableAndFormatsKleverCannotExtract() throws {
        let scratch = try TemporaryDirectory()
        let folder = scratch.url.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let environment = [ExtractionOnPush.folderVariable: folder.path]
        #expect(try pushed(store: scratch.url, environment: environment)?.deletingLastPathComponent().lastPathComponent == "jobs")

        try scratch.write("sklearn/ormbfile.yaml", "format: SKLearn\n")
        try scratch.write("sklearn/model/model.joblib", "x")
        try FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(try pushed(ModelPackageFolder(path: scratch.url.appendingPathComponent("sklearn").path), store: scratch.url, environment: environment) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
