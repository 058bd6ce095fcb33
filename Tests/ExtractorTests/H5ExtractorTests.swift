import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// Keras H5 files as a user hands them to `klever extract`: the HDF5 layer (string
/// attributes of either form, weights-only and foreign HDF5 files, files that are not
/// HDF5 or are damaged). The shape rules have their own suite; the fixture corpus
/// checks files written by Keras itself.
@Suite struct H5ExtractorTests {
    /// A package holding one model file, and the signature klever extracts from it.
    private struct Package {
        let scratch: TemporaryDirectory
        let folder: ModelPackageFolder

        init(_ write: (URL) throws -> Void) throws {
            scratch = try TemporaryDirectory()
            try scratch.write("package/ormbfile.yaml", "format: H5\n")
            let model = scratch.url.appendingPathComponent("package/model")
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            try write(model.appendingPathComponent("model.h5"))
            folder = ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)
        }

        init(_ file: TestHDF5) throws { try self.init { try file.write(to: $0) } }

        init(bytes: [UInt8]) throws { try self.init { try Data(bytes).write(to: $0) } }

        func signature() throws -> Signature { try Extraction.signature(of: folder).1 }

        /// The error extraction throws, which must name the model file.
        func error() -> KleverError? {
            let error = #expect(throws: KleverError.self) { try signature() }
            #expect(error?.file.hasSuffix("model/model.h5") == true, "\(String(describing: error))")
            #expect(error?.exitCode == 10003)
            return error
        }
    }

    /// A Keras 2 Functional model: two inputs added, then a Dense layer.
    private static let config = """
        {"class_name": "Functional", "config": {"name": "model", "layers": [
          {"class_name": "InputLayer", "name": "a", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "name": "a"}, "inbound_nodes": []},
          {"class_name": "InputLayer", "name": "b", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "name": "b"}, "inbound_nodes": []},
          {"class_name": "Add", "name": "sum", "config": {"name": "sum"}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]},
          {"class_name": "Dense", "name": "scores", "config": {"name": "scores", "units": 3}, "inbound_nodes": [[["sum", 0, 0, {}]]]}],
          "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["scores", 0, 0]]}}
        """

    @Test(arguments: TestHDF5.StringForm.allCases)
    func readsModelConfigStoredEitherWay(_ form: TestHDF5.StringForm) throws {
        let signature = try Package(.kerasModel(Self.config, form: form)).signature()
        #expect(signature.inputs == [
            TensorSpec(name: "a", size: [-1, 4], dType: "float32"), TensorSpec(name: "b", size: [-1, 4], dType: "float32"),
        ])
        #expect(signature.outputs == [TensorSpec(name: "scores", size: [-1, 3], dType: "float32")])
        #expect(signature.layers == ["InputLayer": 2, "Add": 1, "Dense": 1])
    }

    @Test func theUserSignatureFillsUnknownDims() throws {
        let package = try Package(.kerasModel(Self.config))
        try package.scratch.write("package/ormbfile.yaml", """
            format: H5
            signature:
              inputs: [{name: a, size: [8, 4]}]
              outputs: [{name: scores, size: [8, 3]}]
            """)
        let signature = try package.signature()
        #expect(signature.inputs.map(\.size) == [[8, 4], [-1, 4]])
        #expect(signature.outputs.map(\.size) == [[8, 3]])
    }

    @Test func aFileOfWeightsOnlySaysItHasNoArchitecture() throws {
        // What Keras 2 save_weights() writes.
        var file = TestHDF5()
        file.addString("backend", "tensorflow")
        file.addString("keras_version", "2.21.0")
        file.addString("layer_names", "dense", form: .fixedLength)
        file.addGroup("dense")
        let error = try Package(file).error()
        #expect(error?.code == .malformedModel)
        #expect(error?.detail == "no model_config attribute: an H5 file of weights only (save_weights) has no architecture; save the model with model.save")
    }

    @Test func anHDF5FileOfSomethingElseSaysWhatItHolds() throws {
        var file = TestHDF5()
        file.addString("title", "measurements")
        file.addGroup("data")
        let error = try Package(file).error()
        #expect(error?.detail == "no model_config attribute: not a Keras model saved with model.save (root attributes: title; root members: data)")
    }

    @Test func modelConfigThatIsNotJSON() throws {
        let error = try Package(.kerasModel(#"{"class_name": "Functional", "config": {"name": nope}}"#)).error()
        #expect(error?.code == .malformedModel)
        #expect(error?.detail.hasPrefix("model_config is not valid JSON: ") == true, "\(String(describing: error))")
    }

    @Test func modelConfigThatIsNotAString() throws {
        var file = TestHDF5()
        file.addInteger("model_config", 7)
        let error = try Package(file).error()
        #expect(error?.detail.contains("attribute model_config is not a string") == true, "\(String(describing: error))")
    }

    @Test func aFileThatIsNotHDF5SaysWhatItLooksLike() throws {
        let zip: [UInt8] = [0x50, 0x4b, 0x03, 0x04] + Array(repeating: 0, count: 60)
        let error = try Package(bytes: zip).error()
        #expect(error?.detail == "not a valid Keras H5 model: not an HDF5 file (no HDF5 signature); the content looks like a zip archive (TorchScript)")
        #expect(try Package(bytes: []).error()?.detail == "not a valid Keras H5 model: empty file")
    }

    @Test func aTruncatedFileIsReportedNotCrashedOn() throws {
        let scratch = try TemporaryDirectory()
        let whole = scratch.url.appendingPathComponent("whole.h5")
        try TestHDF5.kerasModel(Self.config).write(to: whole)
        let bytes = try Data(contentsOf: whole)
        let error = try Package(bytes: Array(bytes.prefix(bytes.count / 2))).error()
        #expect(error?.code == .malformedModel)
        #expect(error?.detail.hasPrefix("not a valid Keras H5 model: libhdf5 cannot open it (truncated file") == true, "\(String(describing: error))")
    }

    /// Files cut short anywhere, and files whose superblock or group structures are
    /// damaged, give a KleverError, never a crash. (libhdf5 1.10 trusts the global heap
    /// that holds variable-length strings: its collections are checked before libhdf5
    /// reads them, see FuzzRegressionTests.h5GlobalHeapFreeSpaceOfSize0.)
    @Test func truncatedAndDamagedFilesAreErrors() throws {
        let scratch = try TemporaryDirectory()
        let whole = scratch.url.appendingPathComponent("whole.h5")
        try TestHDF5.kerasModel(Self.config).write(to: whole)
        let bytes = Array(try Data(contentsOf: whole))
        let package = try Package(bytes: bytes)
        let model = package.folder.modelURL.appendingPathComponent("model.h5")
        var damaged: [[UInt8]] = stride(from: 0, to: bytes.count, by: 61).map { Array(bytes.prefix($0)) }
        for offset in stride(from: 0, to: 1024, by: 5) {
            for flip: UInt8 in [0x01, 0xff] {
                var copy = bytes
                copy[offset] ^= flip
                damaged.append(copy)
            }
        }
        for variant in damaged {
            try Data(variant).write(to: model)
            do {
                _ = try package.signature()
            } catch let error as KleverError {
                #expect(error.code == .malformedModel, "\(error)")
                #expect(!error.detail.contains("\n"))
            }
        }
    }
}
