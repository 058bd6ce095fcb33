import ControllerLite
import Foundation
import Logging
import ModelPackage
import Registry
import Testing
import TestSupport

/// The worker's steps in-process, on a local store: what each pushes, and the exit
/// code each stage fails with.
@Suite struct ModelJobWorkerTests {
    private static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    private static let onnx = Fixtures.upstreamRoot.appendingPathComponent("onnx")
    private static let lenet = Fixtures.root.appendingPathComponent("caffe/lenet-input-shape")

    /// A scratch folder whose local store holds a fixture package under a reference.
    private struct Scene {
        let scratch: TemporaryDirectory
        var store: LayoutStore { LayoutStore(root: scratch.url.appendingPathComponent("store")) }

        init() throws { scratch = try TemporaryDirectory() }

        @discardableResult
        func push(_ package: URL, as reference: String) throws -> Digest {
            try ModelTransfer.push(ModelPackageFolder(path: package.path), to: ModelReference(parsing: reference), store: store, logger: logger)
        }

        /// The worker of a ModelJob, given the variables its local Job gets.
        func worker(_ modelJob: ModelJob, stores: ((WorkerRequest) throws -> WorkerStores)? = nil) throws -> ModelJobWorker {
            let variables = WorkerEnvironment.variables(
                for: modelJob, task: try WorkerTask(modelJob), settings: LocalRunner.settings,
                sourcePath: scratch.url.appendingPathComponent("input").path, destinationPath: scratch.url.appendingPathComponent("output").path)
            var environment = Dictionary(variables.map { ($0.name, $0.value ?? "") }) { $1 }
            environment["KLEVER_STORE"] = store.root.path
            let request = try WorkerRequest(environment: environment)
            return ModelJobWorker(request: request, stores: try stores?(request) ?? WorkerStores.open(for: request, logger: logger), logger: logger)
        }

        func pull(_ reference: String) throws -> Ormbfile {
            let folder = scratch.url.appendingPathComponent("pulled-\(UUID().uuidString)")
            try ModelTransfer.pull(ModelReference(parsing: reference), from: store, into: folder, logger: logger)
            return try ModelPackageFolder(path: folder.path).readOrmbfile()
        }

        func expectFailure(_ modelJob: ModelJob, exitCode: Int32, _ message: String, stores: ((WorkerRequest) throws -> WorkerStores)? = nil) throws {
            let worker = try worker(modelJob, stores: stores)
            let error = try #require(throws: KleverError.self) { try worker.run() }
            #expect(error.exitCode == exitCode)
            #expect(error.description.contains(message), "\(error)")
        }
    }

    private static func extraction(_ model: String, format: String = "ONNX") -> ModelJob {
        ModelJob(metadata: ObjectMeta(name: "extract"), spec: ModelJobSpec(model: model, extraction: .init(format: format)))
    }

    private static func conversion(_ model: String, from: String = "CaffeModel", to: String = "NetDef", desiredTag: String) -> ModelJob {
        ModelJob(metadata: ObjectMeta(name: "convert"), spec: ModelJobSpec(model: model, conversion: .init(mmdnn: .init(from: from, to: to)), desiredTag: desiredTag))
    }

    @Test func anExtractionPushesTheSignatureBackToTheSameTag() throws {
        let scene = try Scene()
        let before = try scene.push(Self.onnx, as: "project/onnx:v1")
        let digest = try scene.worker(Self.extraction("project/onnx:v1")).run()
        #expect(digest != before)
        #expect(try scene.store.fetchManifest(ModelReference(parsing: "project/onnx:v1")).digest == digest)
        let ormbfile = try scene.pull("project/onnx:v1")
        #expect(try ormbfile.signature()?.inputs.map(\.name) == ["X", "Y"])
        #expect(try ormbfile.signature()?.layers == ["Add": 1])
        #expect(ormbfile.author == "chenjun <chenjun@caicloud.io>", "keys extraction does not own are kept")
    }

    @Test func aPackageAnInitContainerPulledIsUsedAsItIs() throws {
        let scene = try Scene()
        try scene.push(Self.lenet, as: "project/model:v1")
        // What the init container pulled: another model than the tag now holds.
        try scene.push(Self.onnx, as: "project/onnx:v1")
        try ModelTransfer.pull(
            ModelReference(parsing: "project/onnx:v1"), from: scene.store, into: scene.scratch.url.appendingPathComponent("input"),
            logger: Self.logger)
        try scene.worker(Self.extraction("project/model:v1")).run()
        #expect(try scene.pull("project/model:v1").signature()?.layers == ["Add": 1], "the ONNX package in input/ was extracted")
    }

    @Test func aConversionPushesANewPackageToTheDesiredTag() throws {
        let scene = try Scene()
        let source = try scene.push(Self.lenet, as: "project/lenet:v1")
        try scene.worker(Self.conversion("project/lenet:v1", desiredTag: "v1-netdef")).run()
        let converted = try scene.pull("project/lenet:v1-netdef")
        #expect(try converted.format() == .netDef)
        #expect(try converted.signature()?.inputs.first?.size == [1, 1, 28, 28])
        #expect(try scene.store.fetchManifest(ModelReference(parsing: "project/lenet:v1")).digest == source, "the source is left alone")
    }

    @Test func eachStageFailsWithItsExitCode() throws {
        let scene = try Scene()
        try scene.push(Self.onnx, as: "project/onnx:v1")
        try scene.expectFailure(Self.extraction("project/onnx:nope"), exitCode: 10001, "project/onnx:nope: manifest unknown in the store")

        try scene.scratch.write("input/left-over", "x")
        try scene.expectFailure(Self.extraction("project/onnx:v1"), exitCode: 10002, "input: exists and is not empty")
        try FileManager.default.removeItem(at: scene.scratch.url.appendingPathComponent("input"))

        let corrupt = try scene.scratch.copy(Self.onnx, as: "corrupt")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: corrupt.appendingPathComponent("model").path)
        try Data("not a protobuf".utf8).write(to: corrupt.appendingPathComponent("model/model.onnx"))
        try scene.push(corrupt, as: "project/corrupt:v1")
        try scene.expectFailure(Self.extraction("project/corrupt:v1"), exitCode: 10003, "model/model.onnx")
        try FileManager.default.removeItem(at: scene.scratch.url.appendingPathComponent("input"))

        // A conversion klever does not do is the task's failure, not a usage error.
        try scene.expectFailure(
            Self.conversion("project/onnx:v1", from: "ONNX", to: "SavedModel", desiredTag: "v2"), exitCode: 10003, "klever does not convert this")
        try FileManager.default.removeItem(at: scene.scratch.url.appendingPathComponent("input"))

        try scene.push(Self.lenet, as: "project/lenet:v1")
        try scene.scratch.write("output/left-over", "x")
        try scene.expectFailure(Self.conversion("project/lenet:v1", desiredTag: "v2"), exitCode: 10004, "already exists and is not empty")
    }

    @Test func aRefusedPushAndARefusedLogin() throws {
        let scene = try Scene()
        let source = try scene.push(Self.onnx, as: "project/onnx:v1")
        let readOnly = ReadOnlyStore(scene.store)
        try scene.expectFailure(Self.extraction("project/onnx:v1"), exitCode: 10005, "denied (403)") { _ in
            WorkerStores(source: readOnly, destination: readOnly) { ["harbor.example.com"] }
        }
        #expect(try scene.store.fetchManifest(ModelReference(parsing: "project/onnx:v1")).digest == source)

        try FileManager.default.removeItem(at: scene.scratch.url.appendingPathComponent("input"))
        try scene.expectFailure(Self.extraction("project/onnx:v1"), exitCode: 10000, "the registry: ") { _ in
            WorkerStores(source: readOnly, destination: readOnly) { throw CocoaError(.userCancelled) }
        }
    }
}

/// A store that serves pulls and refuses pushes, as a registry does for a user
/// without push rights.
private final class ReadOnlyStore: ArtifactStore {
    let store: LayoutStore

    init(_ store: LayoutStore) { self.store = store }

    func fetchManifest(_ reference: ModelReference) throws -> FetchedManifest { try store.fetchManifest(reference) }

    func fetchBlob(_ descriptor: Descriptor, of reference: ModelReference, into folder: URL, progress: TransferProgress?) throws -> URL {
        try store.fetchBlob(descriptor, of: reference, into: folder, progress: progress)
    }

    func pushBlob(_ descriptor: Descriptor, from file: URL, to reference: ModelReference, progress: TransferProgress?) throws -> Bool {
        throw KleverError(.push, file: reference.description, "denied (403)")
    }

    func pushManifest(_ data: Data, to reference: ModelReference) throws -> Digest {
        throw KleverError(.push, file: reference.description, "denied (403)")
    }
}
