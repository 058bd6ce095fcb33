import Foundation
import Testing
@testable import Extractor

/// The check runs a chunk ahead of the parser: what it finds must not depend on where
/// the chunks end.
@Suite struct XMLInputCheckTests {
    /// The first problem, asked for in steps of `step` bytes.
    private func problem(_ bytes: [UInt8], step: Int) -> String? {
        bytes.withUnsafeBytes { buffer in
            var check = XMLInputCheck(buffer)
            for end in stride(from: step, through: buffer.count + step - 1, by: step) {
                if let problem = check.problem(in: buffer, before: min(end, buffer.count)) { return problem }
            }
            return nil
        }
    }

    @Test(arguments: [1, 2, 3, 5, 1 << 20])
    func findingsDoNotDependOnWhereChunksEnd(_ step: Int) {
        let lead = Array(#"<?xml version="1.0"?><PMML version="4.4"><a b=""#.utf8)
        // A lead byte whose continuation is missing, wherever a chunk ends around it.
        let notUTF8 = lead + [0xE2, 0x82, 0x41] + Array(#""/></PMML>"#.utf8)
        #expect(problem(notUTF8, step: step)?.contains("the byte at offset \(lead.count) is not valid UTF-8") == true)
        // Whole scalars, cut by chunk ends anywhere, are UTF-8.
        let euro = lead + [0xE2, 0x82, 0xAC] + Array(#""/></PMML>"#.utf8)
        #expect(problem(euro, step: step) == nil)

        let instruction = Array(#"<PMML version="4.4"><DataDictionary/><?target?></PMML>"#.utf8)
        #expect(problem(instruction, step: step)?.contains("<?target?> has no content") == true)
        // In a comment or a CDATA section it is text, however the chunks cut the markers.
        let hidden = Array(#"<PMML version="4.4"><!-- <?a?> --><x><![CDATA[ <?b?> ]]></x><?c ?></PMML>"#.utf8)
        #expect(problem(hidden, step: step) == nil)
        let afterComment = Array(#"<PMML version="4.4"><!-- - -- --><?d?></PMML>"#.utf8)
        #expect(problem(afterComment, step: step)?.contains("<?d?>") == true)

        let wide = Array(#"<?xml version="1.0"?><PMML version="4.4"><!-- <?a?> --><?e?></PMML>"#.data(using: .utf16BigEndian)!)
        #expect(problem(wide, step: step)?.contains("<?e?>") == true)
    }

    /// The stream stops at the first chunk the check refuses and gives the parser nothing
    /// of it.
    @Test func theStreamHandsOnNothingPastAProblem() throws {
        let good = Array(repeating: UInt8(ascii: " "), count: 300_000)
        let document = Array("<PMML>".utf8) + good + [0xFF] + Array("</PMML>".utf8)
        let stream = MappedFileStream(MappedFile(bytes: document, name: "model.pmml"))
        var buffer = [UInt8](repeating: 0, count: 65536)
        var handed = 0
        while case let count = stream.read(&buffer, maxLength: buffer.count), count > 0 { handed += count }
        #expect(handed == 262_144, "four whole chunks, not the one holding 0xFF")
        #expect(stream.problem?.contains("offset 300006") == true, "\(stream.problem ?? "")")
    }
}
