import Foundation
import ModelPackage
import Testing
import TestSupport

@Suite struct PackageLayoutTests {
    @Test func findsEachRequiredFileIgnoringHiddenOnes() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/model/init_net.pb", "a")
        try scratch.write("pkg/model/predict_net.pb", "b")
        try scratch.write("pkg/model/.init_net.pb", "hidden")
        try scratch.write("pkg/model/.cache/predict_net.pb", "hidden folder")
        let files = try ModelPackageFolder(path: scratch.path + "/pkg").modelFiles(for: .netDef)
        #expect(files.url(RequiredFile("init_net.pb")).lastPathComponent == "init_net.pb")
        #expect(files.display(RequiredFile("predict_net.pb")) == scratch.path + "/pkg/model/predict_net.pb")
    }

    @Test func namesTheFolderAndWhatIsMissing() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/model/model.prototxt", "a")
        let error = #expect(throws: KleverError.self) { try ModelPackageFolder(path: scratch.path + "/pkg").modelFiles(for: .caffeModel) }
        #expect(error?.file == scratch.path + "/pkg/model")
        #expect(error?.detail == "no *.caffemodel file (CaffeModel needs exactly one)")
    }

    @Test func namesAMissingFileByItsPath() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/model/predict_net.pb", "a")
        let error = #expect(throws: KleverError.self) { try ModelPackageFolder(path: scratch.path + "/pkg").modelFiles(for: .netDef) }
        #expect(error?.file == scratch.path + "/pkg/model/init_net.pb")
        #expect(error?.detail == "no such file (NetDef needs exactly one of each: init_net.pb, predict_net.pb)")
    }

    @Test func namesDoubledFiles() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/model/a.onnx", "a")
        try scratch.write("pkg/model/sub/b.onnx", "b")
        let error = #expect(throws: KleverError.self) { try ModelPackageFolder(path: scratch.path + "/pkg").modelFiles(for: .onnx) }
        #expect(error?.detail == "2 *.onnx files (model/a.onnx, model/sub/b.onnx); ONNX needs exactly one")
    }

    @Test func needsAModelFolder() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("pkg/ormbfile.yaml", "format: ONNX")
        let error = #expect(throws: KleverError.self) { try ModelPackageFolder(path: scratch.path + "/pkg").modelFiles(for: .onnx) }
        #expect(error?.file == scratch.path + "/pkg/model")
        #expect(error?.detail == "no such folder (a package holds ormbfile.yaml and model/)")
        #expect(error?.exitCode == 10003)
    }

    @Test func tensorRTTakesAPlanOrAnEngine() {
        let requirement = Format.tensorRT.requiredFiles[0]
        #expect(requirement.matches("model.plan") && requirement.matches("x.engine") && !requirement.matches("plan"))
    }
}

@Suite struct SignatureTests {
    @Test func userDimsFillUnknownOnesOfTheSameTensor() {
        let model = Signature(
            inputs: [TensorSpec(name: "x", size: [-1, 3, -1], dType: "float32"), TensorSpec(name: "y", size: [-1, 4], dType: "int64"), TensorSpec(name: "w", size: [-1], dType: nil)],
            outputs: [TensorSpec(name: "z", size: nil, dType: nil)])
        let user = Signature(
            inputs: [TensorSpec(name: "x", size: [8, 4, 224], dType: "float64"), TensorSpec(name: "y", size: [2, 2, 2], dType: nil), TensorSpec(name: "w", size: [5, 5], dType: "int8")],
            outputs: [TensorSpec(name: "z", size: [1, 10], dType: "float32")])
        let filled = model.filled(from: user)
        #expect(filled.inputs[0].size == [8, 3, 224], "known model dims win; -1 takes the user's")
        #expect(filled.inputs[0].dType == "float32")
        #expect(filled.inputs[1].size == [-1, 4], "another rank is another tensor")
        #expect(filled.inputs[2].size == [5, 5] && filled.inputs[2].dType == "int8", "an unknown rank takes the user's size")
        #expect(filled.outputs[0] == TensorSpec(name: "z", size: [1, 10], dType: "float32"))
    }
}
