import Foundation
import Testing
import TestSupport
@testable import Extractor

/// libxml2's SAX2 parser through XMLStream: what it reports, and what the UTF-8 check
/// holds back from it, wherever the chunks end.
@Suite struct XMLStreamTests {
    /// Records what the stream reports.
    final class Recorder: XMLStreamHandler {
        var events: [String] = []
        var stopAt: String?
        weak var stream: XMLStream?

        func startElement(_ name: String, attributes: XMLAttributes) {
            events.append("<\(name)" + ["id", "label", "missing"].compactMap { key in attributes[key].map { " \(key)=\($0)" } }.joined() + ">")
            if name == stopAt { stream?.stop() }
        }
        func endElement(_ name: String) { events.append("</\(name)>") }
        func xmlError(code: Int, line: Int, column: Int, atEnd: Bool) { events.append("error \(code) at \(line):\(column)\(atEnd ? " at the end" : "")") }
    }

    private func parse(_ bytes: [UInt8], stopAt: String? = nil) -> (events: [String], problem: String?) {
        let stream = XMLStream(MappedFile(bytes: bytes, name: "test.xml"))
        let recorder = Recorder()
        recorder.stream = stream
        recorder.stopAt = stopAt
        let problem = stream.parse(recorder)
        return (recorder.events, problem)
    }

    @Test func localNamesAndUnprefixedDecodedAttributes() {
        let document = #"<p:doc xmlns:p="urn:x" xmlns:q="urn:y"><p:item id="a&amp;b" q:label="no" label="caf&#233;"/></p:doc>"#
        #expect(parse(Array(document.utf8)).events == ["<doc>", "<item id=a&b label=café>", "</item>", "</doc>"])
    }

    /// Defence in depth beside PMMLDocument's refusal of entity declarations: the parser
    /// keeps no declaration, so no entity of the document's, internal or external, is
    /// ever replaced (or loaded).
    @Test func noDeclaredEntityIsReplaced() throws {
        let secret = try TemporaryDirectory()
        try secret.write("secret.txt", "SECRET")
        let document = """
            <!DOCTYPE a [<!ENTITY inner "boom"><!ENTITY outer SYSTEM "\(secret.url.appendingPathComponent("secret.txt").absoluteString)">]>
            <a id="&inner;" label="&outer;">&outer;</a>
            """
        let (events, _) = parse(Array(document.utf8))
        #expect(!events.contains { $0.contains("boom") || $0.contains("SECRET") }, "\(events)")
        #expect(events.contains("<a id= label=>"), "the references are left empty")
    }

    @Test func errorsAreReportedAndTheNestingGoesOn() {
        let (events, _) = parse(Array("<a>\n<b>\n</a>".utf8))
        #expect(events.first { $0.hasPrefix("error 76 at 3:") } != nil, "\(events)")  // end tag mismatch
        #expect(events.prefix(2) == ["<a>", "<b>"])
    }

    @Test func noCallbackComesAfterAStop() {
        let document = "<a><b/><c/>" + String(repeating: "<d/>", count: 200_000) + "</a>"
        let (events, problem) = parse(Array(document.utf8), stopAt: "b")
        #expect(events == ["<a>", "<b>"])
        #expect(problem == nil)
    }

    /// A lead byte whose continuation is missing, wherever a chunk ends around it, is
    /// refused before libxml2 sees its chunk; nothing from that chunk on is reported.
    @Test func theChunkWithABytesNotUTF8IsNeverParsed() {
        let filler = String(repeating: "<x/>", count: 100_000)  // past one chunk
        let document = Array("<a><b/>\(filler)<c/>".utf8) + [0xE2, 0x82, 0x41] + Array("<d/></a>".utf8)
        let (events, problem) = parse(document)
        #expect(problem?.contains("the byte at offset \(document.count - 11) is not valid UTF-8") == true, "\(problem ?? "")")
        #expect(events.contains("<b>") && !events.contains("<c>") && !events.contains("<d>"))
        #expect(!events.contains { $0.hasPrefix("error") })
    }

    @Test(arguments: [1, 2, 3, 5, 1 << 20])
    func utf8FindingsDoNotDependOnWhereChunksEnd(_ step: Int) {
        func problem(_ bytes: [UInt8]) -> String? {
            bytes.withUnsafeBytes { buffer in
                var check = XMLInputCheck(buffer)
                for end in stride(from: step, through: buffer.count + step - 1, by: step) {
                    if let problem = check.problem(in: buffer, before: min(end, buffer.count)) { return problem }
                }
                return nil
            }
        }
        let lead = Array(#"<?xml version="1.0"?><PMML version="4.4"><a b=""#.utf8)
        #expect(problem(lead + [0xE2, 0x82, 0x41] + Array(#""/></PMML>"#.utf8))?.contains("offset \(lead.count) is not valid UTF-8") == true)
        #expect(problem(lead + [0xE2, 0x82, 0xAC] + Array(#""/></PMML>"#.utf8)) == nil, "a whole scalar cut by chunk ends")
    }
}
