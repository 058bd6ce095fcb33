import ModelPackage
import Testing
@testable import Registry

@Suite struct ModelReferenceTests {
    @Test func registryReferences() throws {
        let reference = try ModelReference(parsing: "127.0.0.1:5000/project/name:v1")
        #expect(reference.registry == "127.0.0.1:5000")
        #expect(reference.repository == "project/name")
        #expect(reference.tag == "v1")
        #expect(reference.manifestIdentifier == "v1")
        #expect(reference.isLoopback)
        #expect(reference.description == "127.0.0.1:5000/project/name:v1")

        let harbor = try ModelReference(parsing: "harbor.example.com/library/resnet:2.0-rc_1")
        #expect(harbor.registry == "harbor.example.com" && !harbor.isLoopback)

        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let pinned = try ModelReference(parsing: "localhost:5000/p/m@\(digest)")
        #expect(pinned.registry == "localhost:5000" && pinned.tag == nil && pinned.manifestIdentifier == digest)
        let both = try ModelReference(parsing: "localhost/p/m:v2@\(digest)")
        #expect(both.tag == "v2" && both.digest?.description == digest && both.manifestIdentifier == digest)
    }

    @Test func referencesWithoutAHostLiveInTheLocalStore() throws {
        let local = try ModelReference(parsing: "project/name:v1")
        #expect(local.registry == nil)
        #expect(local.localName == "project/name:v1")
        let deep = try ModelReference(parsing: "a/b/c:t")
        #expect(deep.registry == nil && deep.repository == "a/b/c")
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3:80", "localhost", "localhost:5000", "[::1]:5000", "::1"])
    func loopbackHosts(_ host: String) {
        #expect(ModelReference.isLoopback(host: host))
    }

    @Test(arguments: ["128.0.0.1", "10.0.0.1:5000", "example.com", "127.0.0.1.example.com", "[::2]:5000", "127.0.0"])
    func otherHosts(_ host: String) {
        #expect(!ModelReference.isLoopback(host: host))
    }

    @Test(arguments: ["project/name", "Project/name:v1", "host:5000/p/m:bad tag", "p//m:v1", "p/m:", "p/m@sha256:123", "p/-m:v1", "/p/m:v1"])
    func malformedReferencesAreUsageErrors(_ text: String) {
        #expect(throws: KleverError.self) { try ModelReference(parsing: text) }
        #expect((try? ModelReference(parsing: text)) == nil)
        do {
            _ = try ModelReference(parsing: text)
        } catch let error as KleverError {
            #expect(error.exitCode == 64)
        } catch {
            Issue.record(error)
        }
    }
}
