import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Registry

@Suite struct LayerWriterTests {
    @Test func theSamePackageGivesTheSameDigest() throws {
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        let first = try LayerWriter.write(modelFolder: package.appendingPathComponent("model"), display: "pkg/model", to: scratch.url.appendingPathComponent("a.tgz"))
        // Other mtimes, same bytes: same layer.
        let touched = package.appendingPathComponent("model/model.onnx")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 12345)], ofItemAtPath: touched.path)
        let second = try LayerWriter.write(modelFolder: package.appendingPathComponent("model"), display: "pkg/model", to: scratch.url.appendingPathComponent("b.tgz"))
        #expect(first.descriptor == second.descriptor)
        #expect(try Digest.of(fileAt: scratch.url.appendingPathComponent("a.tgz")) == first.descriptor.digest)
        #expect(first.descriptor.mediaType == "application/tar+gzip")
        // ormb's walk order: each folder's names sorted, depth first; hidden files too.
        #expect(first.entries == ["model/.hidden", "model/extra/empty", "model/extra/weights.bin", "model/model.onnx"])
    }

    @Test func walkOrderIsGosNotAFullPathSort() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("m/a/b", "1")
        try scratch.write("m/a.txt", "2")
        try FileManager.default.createSymbolicLink(atPath: scratch.url.appendingPathComponent("m/link").path, withDestinationPath: "a.txt")
        let result = try LayerWriter.write(modelFolder: scratch.url.appendingPathComponent("m"), display: "m", to: scratch.url.appendingPathComponent("l.tgz"))
        // filepath.Walk visits "a" (and its children) before "a.txt"; links are left out.
        #expect(result.entries == ["model/a/b", "model/a.txt"])
    }

    @Test func itRoundTripsThroughTheReader() throws {
        let scratch = try TemporaryDirectory()
        let package = try TestPackages.make(in: scratch)
        try scratch.write("pkg/model/" + String(repeating: "long-name-", count: 15) + ".bin", "long")
        let layer = scratch.url.appendingPathComponent("l.tgz")
        _ = try LayerWriter.write(modelFolder: package.appendingPathComponent("model"), display: "pkg/model", to: layer)
        let out = scratch.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try LayerReader.extract(layer, into: out, under: "model", display: "layer")
        #expect(try TestPackages.files(under: out.appendingPathComponent("model")) == TestPackages.files(under: package.appendingPathComponent("model")))
    }
}

@Suite struct LayerReaderTests {
    /// Unpacks hand-made entries; returns the refusal's detail, or nil if accepted.
    private func unpack(_ entries: [TarBuilder.Entry], limits: UnpackLimits = UnpackLimits()) throws -> (String?, URL, TemporaryDirectory) {
        let scratch = try TemporaryDirectory()
        let layer = scratch.url.appendingPathComponent("layer.tgz")
        try TarBuilder.write(entries, to: layer)
        let out = scratch.url.appendingPathComponent("dest/root")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        do {
            try LayerReader.extract(layer, into: out, under: "model", limits: limits, display: "layer")
            return (nil, out, scratch)
        } catch let error as KleverError {
            #expect(error.exitCode == 10002)
            return (error.detail, out, scratch)
        }
    }

    @Test(arguments: [
        ("../x", "'..'"), ("model/../../x", "'..'"), ("/etc/passwd", "absolute"), ("model/a/../../../x", "'..'"),
        ("other/file", "outside model/"), ("ormbfile.yaml", "outside model/"),
    ])
    func traversingNamesAreRefused(_ name: String, _ reason: String) throws {
        let (refusal, out, scratch) = try unpack([.file("model/ok", Data("1".utf8)), .file(name, Data("evil".utf8))])
        #expect(refusal?.contains(reason) == true, "\(refusal ?? "accepted")")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("x").path))
        #expect(!FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("x").path))
    }

    @Test func escapingLinksAreRefused() throws {
        for entries: [TarBuilder.Entry] in [
            [.symlink("model/up", to: "../../outside")],
            [.symlink("model/abs", to: "/etc")],
            [.symlink("model/dir", to: ".."), .file("model/dir/model/x", Data())],
            [.symlink("model/a", to: "."), .symlink("model/b", to: "a/../..")],
            [.folder("model/sub"), .symlink("model/sub/l", to: "../../.."), .file("model/sub/l/x", Data())],
            [.hardlink("model/h", to: "../../etc/passwd")],
            [.hardlink("model/h", to: "/etc/passwd")],
            [.hardlink("model/h", to: "model/missing")],
            [.symlink("model/self", to: "self")],
        ] {
            let (refusal, out, scratch) = try unpack(entries)
            #expect(refusal != nil, "accepted \(entries)")
            #expect(!FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("x").path))
            #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("x").path))
        }
    }

    @Test func linksInsideTheDestinationAreKept() throws {
        let (refusal, out, scratch) = try unpack([
            .file("model/weights.bin", Data("w".utf8)), .symlink("model/alias.bin", to: "weights.bin"),
            .hardlink("model/copy.bin", to: "model/weights.bin"), .folder("model/sub"), .symlink("model/sub/up", to: "../weights.bin"),
        ])
        #expect(refusal == nil)
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("layer.tgz").path))
        #expect(try String(contentsOf: out.appendingPathComponent("model/sub/up"), encoding: .utf8) == "w")
        #expect(try String(contentsOf: out.appendingPathComponent("model/copy.bin"), encoding: .utf8) == "w")
    }

    @Test func devicesFifosAndDuplicatesAreRefused() throws {
        #expect(try unpack([.fifo("model/pipe")]).0?.contains("device, FIFO") == true)
        #expect(try unpack([.device("model/tty")]).0?.contains("device, FIFO") == true)
        #expect(try unpack([.file("model/a", Data("1".utf8)), .file("model/a", Data("2".utf8))]).0?.contains("twice") == true)
        #expect(try unpack([.symlink("model/l", to: "x"), .file("model/l", Data())]).0 != nil)
    }

    @Test func sizeAndEntryCapsStopABomb() throws {
        let big = Data(count: 2 << 20)  // zeros: a tiny compressed layer
        #expect(try unpack([.file("model/zeros", big)], limits: UnpackLimits(maxBytes: 1 << 20)).0?.contains("more than 1048576 bytes") == true)
        let many = (0..<20).map { TarBuilder.Entry.file("model/f\($0)", Data()) }
        #expect(try unpack(many, limits: UnpackLimits(maxEntries: 10)).0?.contains("more than 10 entries") == true)
    }

    @Test func garbageIsNotALayer() throws {
        let scratch = try TemporaryDirectory()
        let layer = try scratch.write("layer.tgz", TestPackages.bytes(10_000, seed: 3))
        #expect(throws: KleverError.self) { try LayerReader.extract(layer, into: scratch.url, under: "model", display: "l") }
        let truncated = scratch.url.appendingPathComponent("t.tgz")
        try TarBuilder.write([.file("model/a", TestPackages.bytes(100_000, seed: 4))], to: truncated)
        let bytes = try Data(contentsOf: truncated)
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let out = scratch.url.appendingPathComponent("o")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(throws: KleverError.self) { try LayerReader.extract(truncated, into: out, under: "model", display: "l") }
    }
}

@Suite struct ArtifactLayoutTests {
    @Test func aRefusedLayerLeavesNothing() throws {
        let scratch = try TemporaryDirectory()
        let layer = scratch.url.appendingPathComponent("l.tgz")
        try TarBuilder.write([.file("model/ok", Data("1".utf8)), .file("../escape", Data())], to: layer)
        let destination = scratch.url.appendingPathComponent("dest")
        #expect(throws: KleverError.self) {
            try ArtifactLayout.layOut(config: Data(#"{"format":"ONNX"}"#.utf8), layer: layer, into: destination, display: "r", limits: UnpackLimits())
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["l.tgz"])
    }

    @Test func aNonEmptyDestinationIsRefused() throws {
        let scratch = try TemporaryDirectory()
        let layer = scratch.url.appendingPathComponent("l.tgz")
        try TarBuilder.write([.file("model/ok", Data("1".utf8))], to: layer)
        try scratch.write("dest/keep", "mine")
        #expect(throws: KleverError.self) {
            try ArtifactLayout.layOut(config: Data("{}".utf8), layer: layer, into: scratch.url.appendingPathComponent("dest"), display: "r", limits: UnpackLimits())
        }
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try ArtifactLayout.layOut(config: Data("{}".utf8), layer: layer, into: scratch.url.appendingPathComponent("empty"), display: "r", limits: UnpackLimits())
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("empty/model/ok").path))
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("empty/ormbfile.yaml").path))
    }
}
