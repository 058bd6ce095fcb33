import Foundation
import ModelPackage
import Testing
@testable import Registry

@Suite struct DigestTests {
    @Test func hashesBytesAndFilesAlike() throws {
        let digest = Digest.of(Data("hello".utf8))
        #expect(digest.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("klever-digest-\(UUID())")
        defer { try? FileManager.default.removeItem(at: file) }
        let big = TestPackages.bytes(3 << 20 | 5, seed: 9)
        try big.write(to: file)
        #expect(try Digest.of(fileAt: file) == Digest.of(big))
    }

    @Test(arguments: ["sha512:abcd", "sha256:ABC", "sha256:" + String(repeating: "g", count: 64), "sha256:../../etc/passwd", ""])
    func refusesWhatIsNotASha256Digest(_ text: String) {
        #expect(throws: KleverError.self) { try Digest(parsing: text) }
    }
}
