@testable import ControllerLite
import Foundation
import Testing

/// The wire format of LIST and WATCH, without a server.
@Suite struct WatchDecodingTests {
    @Test func linesAreCutWhereverTheChunksEnd() {
        var splitter = LineSplitter()
        let text = Data("{\"a\":1}\n{\"b\":\n2}\n\n{\"c\"".utf8)
        var lines: [String] = []
        for chunk in stride(from: 0, to: text.count, by: 3) {
            let piece = text[chunk..<min(chunk + 3, text.count)]
            lines += piece.withUnsafeBytes { splitter.append($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(lines == ["{\"a\":1}", "{\"b\":", "2}"])
        #expect(splitter.remainder.map { String(decoding: $0, as: UTF8.self) } == "{\"c\"")
    }

    @Test func everyEventTypeDecodes() throws {
        func event(_ json: String) throws -> WatchEvent<Pod> { try JSONDecoder().decode(WatchEvent<Pod>.self, from: Data(json.utf8)) }
        let pod = #"{"metadata":{"name":"p","namespace":"n","resourceVersion":"7"},"status":{"phase":"Running"}}"#
        guard case .added(let added) = try event(#"{"type":"ADDED","object":\#(pod)}"#) else { Issue.record("not added"); return }
        #expect(added.status?.phase == "Running")
        #expect(try event(#"{"type":"MODIFIED","object":\#(pod)}"#).resourceVersion == "7")
        guard case .deleted = try event(#"{"type":"DELETED","object":\#(pod)}"#) else { Issue.record("not deleted"); return }
        // A bookmark's object has nothing but its version: it must not need a whole Pod.
        let bookmark = try event(#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12"}}}"#)
        #expect(bookmark.resourceVersion == "12")
        let error = try event(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}"#)
        guard case .error(let status) = error else { Issue.record("not an error"); return }
        #expect(status.code == 410 && status.reason == "Expired" && error.resourceVersion == nil)
        #expect(throws: DecodingError.self) { try event(#"{"type":"SOMETHING","object":{}}"#) }
    }

    @Test func listItemsOfBuiltInKindsGetTheirKindBack() throws {
        // As the API server lists Jobs: the items carry no apiVersion or kind.
        let list = #"{"apiVersion":"batch/v1","kind":"JobList","metadata":{"resourceVersion":"99"},"items":[{"metadata":{"name":"j","namespace":"n"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}]}"#
        let jobs = try ObjectList<Job>.decode(Data(list.utf8))
        #expect(jobs.resourceVersion == "99" && jobs.items.first?.kind == "Job" && jobs.items.first?.apiVersion == "batch/v1")
        let empty = try ObjectList<ModelJob>.decode(Data(#"{"kind":"ModelJobList","metadata":{"resourceVersion":"5"}}"#.utf8))
        #expect(empty.items.isEmpty && empty.resourceVersion == "5")
    }
}
