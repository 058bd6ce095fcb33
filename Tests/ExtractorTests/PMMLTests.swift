import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Extractor

/// PMML documents written here (every namespace dialect, usage types, derived output
/// types, hostile XML); the fixture corpus checks real exports against pypmml.
@Suite struct PMMLTests {
    private func extract(_ pmml: String) throws -> Signature {
        let scratch = try TemporaryDirectory()
        try scratch.write("package/ormbfile.yaml", "format: PMML\n")
        try scratch.write("package/model/model.pmml", pmml)
        return try Extraction.signature(of: ModelPackageFolder(path: scratch.url.appendingPathComponent("package").path)).1
    }

    private func extractionError(_ pmml: String) -> KleverError? {
        #expect(throws: KleverError.self) { try extract(pmml) }
    }

    /// A small regression document; `prefix` qualifies every element (`pmml:`).
    private func regression(namespace: String?, prefix: String = "", version: String = "4.4") -> String {
        let declaration = namespace.map { prefix.isEmpty ? #" xmlns="\#($0)""# : #" xmlns:\#(prefix.dropLast())="\#($0)""# } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <\(prefix)PMML\(declaration) version="\(version)">
              <\(prefix)Header/>
              <\(prefix)DataDictionary numberOfFields="3">
                <\(prefix)DataField name="x" optype="continuous" dataType="double"/>
                <\(prefix)DataField name="colour" optype="categorical" dataType="string">
                  <\(prefix)Value value="red"/><\(prefix)Value value="blue"/>
                </\(prefix)DataField>
                <\(prefix)DataField name="y" optype="continuous" dataType="double"/>
              </\(prefix)DataDictionary>
              <\(prefix)RegressionModel functionName="regression">
                <\(prefix)MiningSchema>
                  <\(prefix)MiningField name="x"/>
                  <\(prefix)MiningField name="colour"/>
                  <\(prefix)MiningField name="y" usageType="predicted"/>
                </\(prefix)MiningSchema>
                <\(prefix)RegressionTable intercept="1.5">
                  <\(prefix)NumericPredictor name="x" coefficient="2"/>
                </\(prefix)RegressionTable>
              </\(prefix)RegressionModel>
            </\(prefix)PMML>
            """
    }

    @Test func upstreamNaiveBayes() throws {
        let scratch = try TemporaryDirectory()
        let package = try scratch.copy(Fixtures.upstreamRoot.appendingPathComponent("pmml"), as: "package")
        let (format, signature) = try Extraction.signature(of: ModelPackageFolder(path: package.path))
        #expect(format == .pmml)
        #expect(signature.inputs == [
            TensorSpec(name: "displ", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "year", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "cyl", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "class", size: [], dType: "string", opType: "categorical",
                       values: ["2seater", "compact", "midsize", "minivan", "pickup", "subcompact", "suv"]),
        ])
        #expect(signature.outputs == [
            TensorSpec(name: "drv", size: [], dType: "string", opType: "categorical", values: ["4", "f", "r"]),
            TensorSpec(name: "probability(4)", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "probability(f)", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "probability(r)", size: [], dType: "double", opType: "continuous"),
        ])
        #expect(signature.layers == ["NaiveBayesModel": 1])
    }

    @Test func namespacesAndPrefixesReadTheSame() throws {
        let plain = try extract(regression(namespace: nil))
        #expect(plain.inputs == [
            TensorSpec(name: "x", size: [], dType: "double", opType: "continuous"),
            TensorSpec(name: "colour", size: [], dType: "string", opType: "categorical", values: ["red", "blue"]),
        ])
        #expect(plain.outputs == [TensorSpec(name: "y", size: [], dType: "double", opType: "continuous")], "PMML 3's `predicted` is a target")
        #expect(plain.layers == ["RegressionModel": 1])
        for (namespace, prefix, version) in [
            ("http://www.dmg.org/PMML-3_2", "", "3.2"), ("http://www.dmg.org/PMML-4_4", "", "4.4"),
            ("http://www.dmg.org/PMML-4_3", "pmml:", "4.3"), ("urn:anything", "p:", "4.1"),
        ] {
            #expect(try extract(regression(namespace: namespace, prefix: prefix, version: version)) == plain, "\(namespace) \(prefix)")
        }
    }

    @Test func onlyActiveFieldsAreInputsAndOnlyTargetsAreOutputs() throws {
        let signature = try extract("""
            <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
              <DataDictionary>
                <DataField name="a" optype="continuous" dataType="float"/>
                <DataField name="b" optype="continuous" dataType="integer"/>
                <DataField name="level" optype="ordinal" dataType="string">
                  <Value value="low"/><Value value="high"/><Value value="?" property="missing"/><Value value="bad" property="invalid"/>
                </DataField>
                <DataField name="flag" optype="categorical" dataType="boolean"/>
                <DataField name="weight" optype="continuous" dataType="double"/>
                <DataField name="id" optype="categorical" dataType="string"/>
                <DataField name="when" optype="continuous" dataType="integer"/>
                <DataField name="label" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
              </DataDictionary>
              <TreeModel functionName="classification">
                <MiningSchema>
                  <MiningField name="label" usageType="target"/>
                  <MiningField name="a" usageType="active"/>
                  <MiningField name="b" optype="categorical"/>
                  <MiningField name="level"/>
                  <MiningField name="flag" usageType="supplementary"/>
                  <MiningField name="weight" usageType="frequencyWeight"/>
                  <MiningField name="id" usageType="group"/>
                  <MiningField name="when" usageType="order"/>
                </MiningSchema>
                <Node score="0"><True/></Node>
              </TreeModel>
            </PMML>
            """)
        #expect(signature.inputs == [
            TensorSpec(name: "a", size: [], dType: "float", opType: "continuous"),
            TensorSpec(name: "b", size: [], dType: "integer", opType: "categorical"),
            TensorSpec(name: "level", size: [], dType: "string", opType: "ordinal", values: ["low", "high"]),
        ])
        #expect(signature.outputs == [TensorSpec(name: "label", size: [], dType: "integer", opType: "categorical", values: ["0", "1"])])
    }

    @Test func outputFieldsWithoutADataTypeDeriveOne() throws {
        let signature = try extract("""
            <PMML version="4.2">
              <DataDictionary>
                <DataField name="x" optype="continuous" dataType="double"/>
                <DataField name="count" optype="continuous" dataType="integer"/>
                <DataField name="kind" optype="categorical" dataType="string"><Value value="a"/></DataField>
              </DataDictionary>
              <MiningModel functionName="regression">
                <MiningSchema>
                  <MiningField name="x"/>
                  <MiningField name="count" usageType="target"/>
                  <MiningField name="kind" usageType="target"/>
                </MiningSchema>
                <Output>
                  <OutputField name="predicted_count" feature="predictedValue"/>
                  <OutputField name="predicted_kind" targetField="kind"/>
                  <OutputField name="p" feature="probability" value="a"/>
                  <OutputField name="node" feature="entityId"/>
                  <OutputField name="shown" feature="predictedDisplayValue"/>
                  <OutputField name="decided" feature="decision"/>
                  <OutputField name="scratch" feature="transformedValue" isFinalResult="false" dataType="double"><FieldRef field="x"/></OutputField>
                  <OutputField name="written" feature="probability" dataType="float" optype="continuous"/>
                </Output>
                <Segmentation multipleModelMethod="sum">
                  <Segment><True/><TreeModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema><Node score="1"><True/></Node></TreeModel></Segment>
                </Segmentation>
              </MiningModel>
            </PMML>
            """)
        #expect(signature.outputs == [
            TensorSpec(name: "count", size: [], dType: "integer", opType: "continuous"),
            TensorSpec(name: "kind", size: [], dType: "string", opType: "categorical", values: ["a"]),
            // pypmml: a predicted value takes the target's type, an integer target predicts a double.
            TensorSpec(name: "predicted_count", size: [], dType: "double"),
            TensorSpec(name: "predicted_kind", size: [], dType: "string"),
            TensorSpec(name: "p", size: [], dType: "double"),
            TensorSpec(name: "node", size: [], dType: "string"),
            TensorSpec(name: "shown", size: [], dType: "string"),
            TensorSpec(name: "decided", size: []),
            TensorSpec(name: "written", size: [], dType: "float", opType: "continuous"),
        ])
    }

    @Test func nestedSegmentsCountAsLayersButOnlyTheTopSchemaIsTheSignature() throws {
        let tree = { (field: String) in
            """
            <Segment><True/><TreeModel functionName="classification">
              <MiningSchema><MiningField name="\(field)"/><MiningField name="y" usageType="target"/></MiningSchema>
              <Output><OutputField name="inner_\(field)" feature="probability" value="yes" dataType="double"/></Output>
              <Node score="yes"><True/></Node>
            </TreeModel></Segment>
            """
        }
        let signature = try extract("""
            <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
              <Header/>
              <DataDictionary>
                <DataField name="x1" optype="continuous" dataType="double"/>
                <DataField name="x2" optype="continuous" dataType="double"/>
                <DataField name="y" optype="categorical" dataType="string"><Value value="yes"/><Value value="no"/></DataField>
              </DataDictionary>
              <MiningModel functionName="classification">
                <MiningSchema>
                  <MiningField name="x1"/><MiningField name="x2"/><MiningField name="y" usageType="target"/>
                </MiningSchema>
                <Output>
                  <OutputField name="probability(yes)" optype="continuous" dataType="double" feature="probability" value="yes"/>
                </Output>
                <Segmentation multipleModelMethod="majorityVote">
                  \(tree("x1"))\(tree("x2"))
                  <Segment><True/><RegressionModel functionName="classification"><MiningSchema><MiningField name="x1"/></MiningSchema></RegressionModel></Segment>
                </Segmentation>
              </MiningModel>
              <Extension name="after-the-model">anything</Extension>
            </PMML>
            """)
        #expect(signature.inputs.map(\.name) == ["x1", "x2"])
        #expect(signature.outputs.map(\.name) == ["y", "probability(yes)"])
        #expect(signature.layers == ["MiningModel": 1, "TreeModel": 2, "RegressionModel": 1])
    }

    @Test func aModelChainWithoutOutputReportsItsLastModels() throws {
        let signature = try extract("""
            <PMML version="4.4">
              <DataDictionary>
                <DataField name="x" optype="continuous" dataType="double"/>
                <DataField name="y" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
              </DataDictionary>
              <MiningModel functionName="classification">
                <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
                <Segmentation multipleModelMethod="modelChain">
                  <Segment><True/><RegressionModel functionName="regression">
                    <MiningSchema><MiningField name="x"/></MiningSchema>
                    <Output><OutputField name="score" dataType="double" isFinalResult="false"/></Output>
                  </RegressionModel></Segment>
                  <Segment><True/><MiningModel functionName="classification">
                    <MiningSchema><MiningField name="y" usageType="target"/></MiningSchema>
                    <Segmentation multipleModelMethod="modelChain">
                      <Segment><True/><TreeModel functionName="classification">
                        <MiningSchema><MiningField name="y" usageType="target"/></MiningSchema>
                        <Output><OutputField name="label"/><OutputField name="p(1)" feature="probability" value="1"/></Output>
                      </TreeModel></Segment>
                    </Segmentation>
                  </MiningModel></Segment>
                </Segmentation>
              </MiningModel>
            </PMML>
            """)
        #expect(signature.outputs == [
            TensorSpec(name: "y", size: [], dType: "integer", opType: "categorical", values: ["0", "1"]),
            TensorSpec(name: "label", size: [], dType: "double"),
            TensorSpec(name: "p(1)", size: [], dType: "double"),
        ])
        #expect(signature.layers == ["MiningModel": 2, "RegressionModel": 1, "TreeModel": 1])
    }

    // MARK: Broken and hostile documents

    @Test func entityDeclarationsAreRefused() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE PMML [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <PMML version="4.4"><DataDictionary><DataField name="&lol3;" optype="continuous" dataType="double"/></DataDictionary></PMML>
            """
        let external = """
            <?xml version="1.0"?>
            <!DOCTYPE PMML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <PMML version="4.4"><DataDictionary><DataField name="&secret;" optype="continuous" dataType="double"/></DataDictionary></PMML>
            """
        for document in [laughs, external] {
            let error = extractionError(document)
            #expect(error?.code == .malformedModel)
            #expect(error?.file.hasSuffix("model/model.pmml") == true)
            #expect(error?.detail.contains("declares XML entities") == true, "\(error?.detail ?? "")")
        }
    }

    @Test func brokenDocumentsFailWithOneLine() throws {
        let whole = try String(contentsOf: Fixtures.upstreamRoot.appendingPathComponent("pmml/model/naive_bayes.pmml"), encoding: .utf8)
        let truncated = extractionError(String(whole.prefix(whole.count / 2)))
        #expect(truncated?.detail.contains("truncated: the document ends at line 107, inside <NaiveBayesModel>") == true, "\(truncated?.detail ?? "")")

        let deep = "<PMML>" + String(repeating: "<Node>", count: 5000) + String(repeating: "</Node>", count: 5000) + "</PMML>"
        #expect(extractionError(deep)?.detail.contains("nest deeper than 4096") == true)

        let mismatched = extractionError("<PMML version=\"4.4\">\n<DataDictionary>\n</PMML>")
        #expect(mismatched?.detail.contains("not well-formed XML at line 3") == true, "\(mismatched?.detail ?? "")")

        let notPMML = extractionError(#"<?xml version="1.0"?><html><body/></html>"#)
        #expect(notPMML?.detail.contains("the root element is <html>, not <PMML>") == true, "\(notPMML?.detail ?? "")")

        let noModel = extractionError(#"<PMML version="4.4"><DataDictionary/></PMML>"#)
        #expect(noModel?.detail.contains("holds no model") == true, "\(noModel?.detail ?? "")")

        let unknownField = extractionError("""
            <PMML version="4.4"><DataDictionary/><TreeModel><MiningSchema><MiningField name="ghost"/></MiningSchema></TreeModel></PMML>
            """)
        #expect(unknownField?.detail.contains("MiningField 'ghost' names no DataField") == true, "\(unknownField?.detail ?? "")")

        let empty = extractionError("")
        #expect(empty?.detail.contains("empty file") == true)

        // Cut right after a line's end: still cut short, though nothing is cut in half.
        let lines = whole.split(separator: "\n", omittingEmptySubsequences: false)
        let cutAtLineEnd = extractionError(lines.prefix(lines.count / 2).joined(separator: "\n") + "\n")
        #expect(cutAtLineEnd?.detail.contains("truncated: the document ends at line") == true, "\(cutAtLineEnd?.detail ?? "")")
    }

    /// Text in another encoding than the declaration names: libxml2's converter fails
    /// (Shift_JIS: a lead byte without its pair); not a document cut short.
    @Test func textNotInTheDeclaredEncoding() {
        let document = regression(namespace: nil).replacingOccurrences(of: #"encoding="UTF-8""#, with: #"encoding="Shift_JIS""#)
        let header = document.range(of: "<Header")!.upperBound
        let text = Array(document[..<header].utf8) + Array(#" description=""#.utf8) + [0x81, 0x20] + Array(#"""#.utf8) + Array(document[header...].utf8)
        let error = #expect(throws: KleverError.self) { try PMMLDocument(MappedFile(bytes: text, name: "model.pmml")) }
        #expect(error?.detail.contains("the text is not valid in the encoding its XML declaration names") == true, "\(error?.detail ?? "")")
    }

    /// A document declared ASCII reads as UTF-8, as JPMML reads it (every ASCII document
    /// is UTF-8): names with accents come through whole; bytes that are not UTF-8 are
    /// refused as in any UTF-8 document.
    @Test(arguments: [#"encoding="US-ASCII""#, #"encoding='ascii'"#, #"encoding="ANSI_X3.4-1968""#])
    func asciiDeclarationsReadAsUTF8(_ declaration: String) throws {
        let document = regression(namespace: nil)
            .replacingOccurrences(of: #"encoding="UTF-8""#, with: declaration)
            .replacingOccurrences(of: #"name="colour""#, with: #"name="couleur_façade""#)
        #expect(try extract(document).inputs.map(\.name) == ["x", "couleur_façade"])

        let notUTF8 = Array(document.data(using: .isoLatin1)!)  // ç as the one byte 0xE7
        let error = #expect(throws: KleverError.self) { try PMMLDocument(MappedFile(bytes: notUTF8, name: "model.pmml")) }
        #expect(error?.detail.contains("not valid UTF-8") == true, "\(error?.detail ?? "")")
    }
}
