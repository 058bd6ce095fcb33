import Extractor
import Foundation
import ModelPackage
import Testing
import TestSupport

/// Every case of `fixtures/index.json` for the formats klever extracts: the golden
/// signature from the real framework, or the documented error with nothing changed.
@Suite struct FixtureCorpusTests {
    static let cases = Fixtures.cases(Extraction.formats)

    /// A package added to ../shared/upstream-fixtures is not left out of the corpus.
    @Test func everyUpstreamPackageIsACase() throws {
        let packages = try FileManager.default.contentsOfDirectory(atPath: Fixtures.upstreamRoot.path).filter { name in
            FileManager.default.fileExists(atPath: Fixtures.upstreamRoot.appendingPathComponent("\(name)/ormbfile.yaml").path)
        }
        let cased = Set(Fixtures.index.compactMap { $0.package.map { URL(fileURLWithPath: $0).lastPathComponent } })
        #expect(!packages.isEmpty)
        #expect(packages.filter { !cased.contains($0) }.isEmpty, "upstream packages without an index row")
    }

    @Test(arguments: cases)
    func extractsAsTheFrameworkDoes(_ fixture: Fixtures.Case) throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(fixture.packageURL, as: "package")
        let folder = ModelPackageFolder(path: package.path)
        let ormbfile = folder.ormbfileURL
        let before = try? Data(contentsOf: ormbfile)

        if let expected = fixture.expectedURL {
            let result = try Extraction.update(folder)
            let differences = try SignatureComparison.differences(result, golden: expected)
            #expect(differences.isEmpty, "\(fixture.case): \(differences.joined(separator: "; "))")
            // What was written is what was returned, and reads back the same.
            #expect(try folder.readOrmbfile().signature() == result.signature)
        } else if let expectedError = fixture.error {
            let error = #expect(throws: KleverError.self) { try Extraction.update(folder) }
            #expect(error?.exitCode == expectedError.exitCode)
            #expect(error?.file.hasSuffix(expectedError.file) == true, "\(error?.description ?? "") should name \(expectedError.file)")
            if let words = expectedError.contains {
                #expect(error?.detail.contains(words) == true, "\(error?.description ?? "") should say '\(words)'")
            }
            #expect((try? Data(contentsOf: ormbfile)) == before, "ormbfile.yaml changed")
        } else {
            Issue.record("\(fixture.case): index row has neither expect nor error")
        }
    }
}
