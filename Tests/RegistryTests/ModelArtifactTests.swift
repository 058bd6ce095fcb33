import Foundation
import ModelPackage
import Testing
import TestSupport
@testable import Registry

@Suite struct ModelArtifactTests {
    private let config = Descriptor(mediaType: MediaType.modelConfig, digest: .of(Data("c".utf8)), size: 1)
    private let layer = Descriptor(mediaType: MediaType.modelLayer, digest: .of(Data("l".utf8)), size: 1)

    @Test func theManifestIsWhatOrmbWrites() {
        // Go's json.Marshal of image-spec's Manifest: field order, compact, no mediaType.
        let expected = #"{"schemaVersion":2,"config":{"mediaType":"application/vnd.caicloud.model.config.v1alpha1+json","digest":"\#(config.digest)","size":1},"layers":[{"mediaType":"application/tar+gzip","digest":"\#(layer.digest)","size":1}]}"#
        #expect(String(decoding: ModelArtifact.manifest(config: config, layer: layer).encoded(), as: UTF8.self) == expected)
    }

    @Test func theConfigIsTheOrmbfilePlusDirectoryStructure() throws {
        let ormbfile = try Ormbfile(yaml: "format: ONNX\nauthor: me\ndirectoryStructure: [stale]\nsignature:\n  inputs:\n  - name: x\n    size: [-1, 3]\n", file: "t")
        let data = try ModelArtifact.config(ormbfile, entries: ["model/a.onnx", "model/sub/b"])
        #expect(String(decoding: data, as: UTF8.self)
            == #"{"author":"me","directoryStructure":["model/a.onnx","model/sub/b"],"format":"ONNX","signature":{"inputs":[{"name":"x","size":[-1,3]}]}}"#)
        // Pulled back, it is an ormbfile again.
        let yaml = try ModelArtifact.ormbfileYAML(fromConfig: data, reference: "r")
        let back = try Ormbfile(yaml: yaml, file: "back")
        #expect(back.formatName == "ONNX" && back.author == "me")
        #expect(try back.signature()?.inputs.first?.size == [-1, 3])
        #expect(yaml.hasPrefix("author: \"me\"\n"))
    }

    @Test func ormbsOwnConfigReadsBack() throws {
        // What ormb's Go struct marshals, unset `created` included.
        let ormb = #"{"author":"a","created":"0001-01-01T00:00:00Z","format":"SavedModel","signature":{"inputs":[{"name":"in","size":[1,28],"dType":"float32"}],"layers":{"Conv2D":2}},"directoryStructure":["model/saved_model.pb"]}"#
        let back = try Ormbfile(yaml: try ModelArtifact.ormbfileYAML(fromConfig: Data(ormb.utf8), reference: "r"), file: "b")
        #expect(back.formatName == "SavedModel")
        #expect(try back.signature()?.layers == ["Conv2D": 2])
    }

    @Test func manifestShapes() throws {
        let good = FetchedManifest(data: ModelArtifact.manifest(config: config, layer: layer).encoded(), digest: .of(Data()), mediaType: MediaType.ociManifest)
        let parts = try ModelArtifact.parts(of: good, reference: "r")
        #expect(parts.config == config && parts.layer == layer)

        func refused(_ json: String, _ type: String? = nil) -> String? {
            do {
                _ = try ModelArtifact.parts(of: FetchedManifest(data: Data(json.utf8), digest: .of(Data()), mediaType: type), reference: "r")
                return nil
            } catch let error as KleverError {
                #expect(error.exitCode == 10001)
                return error.detail
            } catch {
                return "\(error)"
            }
        }
        let c = #"{"mediaType":"application/vnd.caicloud.model.config.v1alpha1+json","digest":"\#(config.digest)","size":1}"#
        let l = #"{"mediaType":"application/tar+gzip","digest":"\#(layer.digest)","size":1}"#
        #expect(refused(#"{"schemaVersion":2,"manifests":[]}"#, MediaType.ociIndex)?.contains("index") == true)
        #expect(refused(#"{"schemaVersion":2,"config":\#(c),"layers":[\#(l),\#(l)]}"#)?.contains("exactly one") == true)
        #expect(refused(#"{"schemaVersion":2,"config":\#(l),"layers":[\#(l)]}"#)?.contains("config's media type") == true)
        #expect(refused(#"{"schemaVersion":1,"config":\#(c),"layers":[\#(l)]}"#)?.contains("schemaVersion") == true)
        #expect(refused(#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:../../etc","size":1},"layers":[]}"#) != nil)
        #expect(refused("not json") != nil)
        #expect(refused(#"{"schemaVersion":2,"config":\#(c.replacingOccurrences(of: "\"size\":1", with: "\"size\":99999999999")),"layers":[\#(l)]}"#)?.contains("config size") == true)
        #expect(refused(#"{"schemaVersion":2,"config":\#(c),"layers":[\#(l)]}"#, "application/vnd.oci.image.manifest.v1+json") == nil)
    }

    @Test func aConfigThatIsNotAnObjectIsRefused() {
        #expect(throws: KleverError.self) { try ModelArtifact.ormbfileYAML(fromConfig: Data("[1]".utf8), reference: "r") }
        #expect(throws: KleverError.self) { try ModelArtifact.ormbfileYAML(fromConfig: Data([0xff, 0xfe]), reference: "r") }
    }
}
