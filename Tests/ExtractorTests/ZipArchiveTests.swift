import Foundation
import Testing
import TestSupport
@testable import Extractor

@Suite struct ZipArchiveTests {
    private func mapped(_ bytes: [UInt8]) throws -> (TemporaryDirectory, MappedFile) {
        let scratch = try TemporaryDirectory()
        let url = try scratch.write("test.zip", Data(bytes))
        return (scratch, try MappedFile(url, name: "test.zip"))
    }

    private func read(
        _ zip: TestZip, limits: ZipArchive.Limits = ZipArchive.Limits(), select: (ZipArchive.Entry) -> Bool
    ) throws -> ZipArchive {
        let (scratch, file) = try mapped(zip.bytes)
        defer { withExtendedLifetime(scratch) {} }
        return try ZipArchive.read(file, limits: limits, select: select)
    }

    /// The payload entry's CRC is wrong: reading it would fail, so success shows it
    /// was skipped without being read.
    @Test func readsTheChosenEntriesAndSkipsTheOthersUnread() throws {
        var zip = TestZip()
        zip.add("m/data.pkl", [0x80, 0x02, 0x4e, 0x2e])
        zip.add("m/data/0", [UInt8](repeating: 7, count: 4096), declaredCRC: 0xdead_beef)
        zip.add("m/code/__torch__.py", "class Net(Module):\n")
        let archive = try read(zip) { !$0.path.hasPrefix("m/data/") }
        #expect(archive.entries == [
            ZipArchive.Entry(path: "m/data.pkl", size: 4),
            ZipArchive.Entry(path: "m/data/0", size: 4096),
            ZipArchive.Entry(path: "m/code/__torch__.py", size: 19),
        ])
        #expect(archive.contents == [
            "m/data.pkl": [0x80, 0x02, 0x4e, 0x2e],
            "m/code/__torch__.py": Array("class Net(Module):\n".utf8),
        ])
    }

    @Test func reportsAnEntryThatCannotBeRead() throws {
        var zip = TestZip()
        zip.add("m/data/0", [UInt8](repeating: 7, count: 64), declaredCRC: 0xdead_beef)
        let error = #expect(throws: ZipArchiveError.self) { try read(zip) { _ in true } }
        #expect(error?.detail.hasPrefix("cannot read entry 'm/data/0': ") == true, "\(String(describing: error))")
    }

    @Test func refusesAnEntryDeclaredLargerThanTheLimitWithoutReadingIt() throws {
        var zip = TestZip()
        zip.add("big", [UInt8](repeating: 0, count: 2000))
        let limits = ZipArchive.Limits(entrySize: 1000)
        let error = #expect(throws: ZipArchiveError.self) { try read(zip, limits: limits) { _ in true } }
        #expect(error?.detail == "entry 'big' is larger than 1000 bytes")
        // Not chosen, it is only listed.
        #expect(try read(zip, limits: limits) { _ in false }.entries.count == 1)
    }

    /// A zip bomb: the headers say 10 bytes, the deflate stream inflates to 1 MiB.
    @Test func stopsInflatingAtTheLimitWhateverTheHeadersSay() throws {
        var zip = TestZip()
        zip.add("bomb", [UInt8](repeating: 0, count: 1 << 20), deflated: true, declaredSize: 10)
        let error = #expect(throws: ZipArchiveError.self) {
            try read(zip, limits: ZipArchive.Limits(entrySize: 1000)) { _ in true }
        }
        #expect(error?.detail == "entry 'bomb' is larger than 1000 bytes")
    }

    @Test func boundsTheTotalRead() throws {
        var zip = TestZip()
        for index in 0..<3 { zip.add("f\(index)", [UInt8](repeating: 1, count: 600)) }
        let limits = ZipArchive.Limits(entrySize: 1000, totalSize: 1500)
        let error = #expect(throws: ZipArchiveError.self) { try read(zip, limits: limits) { _ in true } }
        #expect(error?.detail == "the entries read add up to more than 1500 bytes")
    }

    @Test func readsDeflatedEntries() throws {
        var zip = TestZip()
        let text = Array(String(repeating: "def forward(self, x: Tensor) -> Tensor:\n", count: 5000).utf8)
        zip.add("m/code/__torch__.py", text, deflated: true)
        #expect(try read(zip) { _ in true }.contents["m/code/__torch__.py"] == text)
    }

    @Test(arguments: [
        ([UInt8](repeating: 0x41, count: 100), "not a zip archive"),
        ([], "empty file, not a zip archive"),
    ])
    func refusesWhatIsNotAZip(bytes: [UInt8], detail: String) throws {
        let (scratch, file) = try mapped(bytes)
        defer { withExtendedLifetime(scratch) {} }
        #expect(throws: ZipArchiveError(detail)) { try ZipArchive.read(file) { _ in true } }
    }

    @Test func saysATruncatedZipIsTruncated() throws {
        var zip = TestZip()
        zip.add("m/data.pkl", [UInt8](repeating: 0x4e, count: 1000))
        let bytes = zip.bytes
        let (scratch, file) = try mapped(Array(bytes.prefix(bytes.count / 2)))
        defer { withExtendedLifetime(scratch) {} }
        #expect(throws: ZipArchiveError("truncated: the zip has no end of central directory record")) {
            try ZipArchive.read(file) { _ in true }
        }
    }

    /// A real `torch.jit.save` archive: 64-byte aligned records in a top folder.
    @Test func listsARealTorchScriptArchive() throws {
        let url = Fixtures.root.appendingPathComponent("torchscript/scripted-convnet/model/model.pt")
        let file = try MappedFile(url, name: "model.pt")
        let archive = try ZipArchive.read(file) { $0.path == "model/data.pkl" }
        #expect(archive.entries.contains { $0.path == "model/data/0" })
        #expect(archive.entries.contains { $0.path == "model/code/__torch__/klever_torchscript_modules.py" })
        #expect(Array(archive.contents.keys) == ["model/data.pkl"])
        #expect(archive.contents["model/data.pkl"]?.prefix(2) == [0x80, 0x02])
    }
}
