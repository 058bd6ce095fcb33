import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// Inputs that `build/fuzz` found crashing, hanging or exhausting memory (see
/// docs/fuzzing.md), each read through the reader the harness ran: they must now end
/// in a KleverError. Larger reproducers lie under fixtures/regressions/<target>/.
@Suite struct FuzzRegressionTests {
    private func reproducer(_ target: String, _ name: String) throws -> MappedFile {
        try MappedFile(Fixtures.root.appendingPathComponent("regressions/\(target)/\(name)"), name: name)
    }

    private func bytes(_ text: String, name: String) -> MappedFile { MappedFile(bytes: Array(text.utf8), name: name) }

    // MARK: PMML (found when Foundation's XMLParser, which trapped on them, read PMML)

    /// A processing instruction whose target is not UTF-8 (found by the pmml target).
    @Test func pmmlProcessingInstructionNotUTF8() throws {
        let error = #expect(throws: KleverError.self) { try PMMLDocument(reproducer("pmml", "invalid-utf8-processing-instruction.pmml")) }
        #expect(error?.description.contains("not valid UTF-8") == true)
    }

    /// Bytes that are not UTF-8 in an element name after an encoding declaration cut
    /// short before the root element (found by the pmml target)...
    /// ... and a processing instruction `<?xmlrois` that names an encoding like a
    /// declaration, which libxml2 does not take as one.
    @Test(arguments: ["broken-encoding-declaration.pmml", "processing-instruction-like-a-declaration.pmml"])
    func pmmlEncodingsLibxml2DoesNotTake(_ name: String) throws {
        let error = #expect(throws: KleverError.self) { try PMMLDocument(reproducer("pmml", name)) }
        #expect(error?.description.contains("not valid UTF-8") == true)
    }

    /// Bytes that are not UTF-8 (0xC3 0xC3: a lead byte without its continuation) in an
    /// element name, an attribute value, a comment, or under a UTF-16 declaration,
    /// which libxml2 ignores for ASCII-compatible bytes.
    @Test(arguments: [
        (#"<PMML version="4.4"><a"#, #" b="1"/></PMML>"#),
        (#"<PMML version="4.4"><a b=""#, #""/></PMML>"#),
        (#"<PMML version="4.4"><!-- "#, #" --></PMML>"#),
        (#"<?xml version="1.0" encoding="UTF-16"?><PMML version="4.4"><a"#, #"/></PMML>"#),
        // A broken encoding declaration, which libxml2 passes over and reads UTF-8.
        ("<?xml version=\"1.0\" encoding=\t<PMML version=\"4.4\"><a", #"/></PMML>"#),
        (#"<?xml version="1.0" encoding="ISO-8859-1?><PMML version="4.4"><a"#, #"/></PMML>"#),
        // A processing instruction that starts like a declaration (found by the pmml target).
        (#"<?xmlfoo version="1.0" encoding="ISO-8859-1"?><PMML version="4.4"><a"#, #"/></PMML>"#),
        (#"<?xml encoding="ISO-8859-1"?><PMML version="4.4"><a"#, #"/></PMML>"#),
    ])
    func pmmlBytesNotUTF8(_ before: String, _ after: String) {
        let document = Array(before.utf8) + [0xC3, 0xC3] + Array(after.utf8)
        let error = #expect(throws: KleverError.self) { try PMMLDocument(MappedFile(bytes: document, name: "model.pmml")) }
        #expect(error?.description.contains("not valid UTF-8") == true)
    }

    /// `<?target?>` made Foundation read a NULL pointer, in UTF-8 as in UTF-16; it is
    /// well-formed XML, read like any processing instruction.
    @Test func pmmlProcessingInstructionWithoutContent() throws {
        let text = #"<?xml version="1.0"?><PMML version="4.4"><?a?><DataDictionary><DataField name="x" optype="continuous" dataType="double"/></DataDictionary><RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema></RegressionModel></PMML>"#
        for document in [Array(text.utf8), Array(text.data(using: .utf16)!)] {
            #expect(try PMMLDocument(MappedFile(bytes: document, name: "model.pmml")).miningFields.map(\.name) == ["x"])
        }
    }

    /// What the UTF-8 check lets through: bytes that are not UTF-8 in a document that
    /// declares its 8-bit encoding.
    @Test func pmmlCheckKeepsReadableDocuments() throws {
        let latin1 = #"<?xml version="1.0" encoding="ISO-8859-1"?><PMML version="4.4"><?a ?><!-- <?a?> --><DataDictionary><DataField name="caf\#u{E9}" optype="continuous" dataType="double"/></DataDictionary><RegressionModel functionName="regression"><MiningSchema><MiningField name="caf\#u{E9}"/></MiningSchema></RegressionModel></PMML>"#
        let document = try PMMLDocument(MappedFile(bytes: Array(latin1.data(using: .isoLatin1)!), name: "model.pmml"))
        #expect(document.miningFields.map(\.name) == ["caf\u{E9}"])
    }

    // MARK: Keras H5 (libhdf5 1.10 trusts its global heap)

    /// A global heap collection ending in free space of size 0, where libhdf5's reader
    /// of the `model_config` string loops forever (found by the h5 target, as a timeout).
    @Test func h5GlobalHeapFreeSpaceOfSize0() throws {
        let error = #expect(throws: KleverError.self) { try KerasH5File(image: reproducer("h5", "global-heap-free-space-of-size-0.h5")) }
        #expect(error?.detail.contains("free space of size 0") == true, "\(String(describing: error))")
    }

    /// The same file with that free space's size set: the check lets it through and
    /// libhdf5 reads the model_config.
    @Test func h5GlobalHeapCheckPassesTheRepairedCollection() throws {
        let file = try reproducer("h5", "global-heap-free-space-of-size-0.h5")
        var bytes = withExtendedLifetime(file) { Array(file.bytes) }
        let freeSpace = 5504, collectionEnd = 2048 + 4096
        for index in 0..<8 { bytes[freeSpace + 8 + index] = UInt8(truncatingIfNeeded: (collectionEnd - freeSpace) >> (8 * index)) }
        let stored = try KerasH5File(image: MappedFile(bytes: bytes, name: "model.h5"))
        #expect(stored.config.hasPrefix(#"{"class_name": "Functional""#))
    }
}
