import CXMLSAX
import Foundation

/// What ``XMLStream`` reports, as libxml2 parses.
protocol XMLStreamHandler: AnyObject {
    /// An element starts; `name` is its local name (the namespace prefix left off).
    func startElement(_ name: String, attributes: XMLAttributes)
    func endElement(_ name: String)
    /// An XML error (not a warning): libxml2's code (xmlParserErrors) and where. The
    /// parser recovers and goes on, so the handler can follow the nesting. `atEnd`: the
    /// error came when the input ended, so it says what the document lacks (an element
    /// or a tag cut short), not what is wrong in it.
    func xmlError(code: Int, line: Int, column: Int, atEnd: Bool)
}

/// An element's attributes without a namespace prefix, valid during ``XMLStreamHandler/startElement(_:attributes:)``.
struct XMLAttributes {
    fileprivate let attributes: UnsafeBufferPointer<klever_xml_attribute>

    /// The value of the attribute named `name`, decoded (entities and character
    /// references replaced).
    subscript(name: String) -> String? {
        name.withCString { wanted in
            guard let attribute = attributes.first(where: { strcmp($0.name, wanted) == 0 }), let value = attribute.value else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: value, count: Int(attribute.length)), as: UTF8.self)
        }
    }
}

/// Streams a mapped XML document through libxml2's SAX2 push parser: no tree is built,
/// the file is pushed a chunk at a time (each checked by ``XMLInputCheck`` first) and
/// its pages are given back behind the parser, so memory does not grow with the
/// document. External entities and DTDs are never loaded.
final class XMLStream {
    private let file: MappedFile
    private var check: XMLInputCheck
    private var parser: OpaquePointer?
    /// Held only while ``parse(_:)`` runs.
    private var handler: (any XMLStreamHandler)?
    private var stopped = false
    /// Set for the push that ends the input.
    private var ending = false
    /// Bytes pushed at once.
    private static let chunkSize = 1 << 18

    init(_ file: MappedFile) {
        self.file = file
        check = XMLInputCheck(file.bytes)
    }

    deinit { klever_xml_parser_free(parser) }

    /// Parses the document, reporting to `handler`, until its end or ``stop()``; once.
    /// Returns why the parser was given less than the whole document: what the input
    /// check refused, or nil.
    func parse(_ handler: any XMLStreamHandler) -> String? {
        precondition(parser == nil, "an XMLStream parses once")
        self.handler = handler
        defer {
            self.handler = nil
            file.releasePages(0..<file.count)
        }
        // The first bytes carry the encoding; a declaration of ASCII is read as UTF-8.
        var head = Array(file.bytes.prefix(max(4, check.asciiPatch?.range.upperBound ?? 0)))
        if let patch = check.asciiPatch { head.replaceSubrange(patch.range, with: patch.replacement) }
        if let problem = check.problem(in: file.bytes, before: head.count) { return problem }
        let detected = min(4, head.count)
        guard let parser = head.withUnsafeBufferPointer({ bytes in
            bytes.withMemoryRebound(to: CChar.self) { create(bytes: $0.baseAddress, count: Int32(detected)) }
        }) else { return "out of memory for the XML parser" }
        self.parser = parser
        head.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { push($0.baseAddress.map { $0 + detected }, count: head.count - detected, last: false) }
        }
        var offset = head.count
        var released = 0
        while offset < file.count, !stopped {
            let end = min(file.count, offset + Self.chunkSize)
            if let problem = check.problem(in: file.bytes, before: end) { return problem }
            push(file.bytes.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + offset }, count: end - offset, last: false)
            offset = end
            file.releasePages(released..<offset)
            released = offset
        }
        ending = true
        push(nil, count: 0, last: true)
        return nil
    }

    /// Ends parsing: no callback comes after this one.
    func stop() {
        stopped = true
        if let parser { klever_xml_parser_stop(parser) }
    }

    private func push(_ bytes: UnsafePointer<CChar>?, count: Int, last: Bool) {
        guard let parser, !stopped, count > 0 || last else { return }
        _ = klever_xml_parser_push(parser, bytes, Int32(count), last ? 1 : 0)
    }

    private func create(bytes: UnsafePointer<CChar>?, count: Int32) -> OpaquePointer? {
        let callbacks = klever_xml_callbacks(
            start_element: { context, name, attributes, count in
                guard let stream = XMLStream.from(context), let name else { return }
                let attributes = XMLAttributes(attributes: UnsafeBufferPointer(start: attributes, count: Int(count)))
                stream.handler?.startElement(String(cString: name), attributes: attributes)
            },
            end_element: { context, name in
                guard let stream = XMLStream.from(context), let name else { return }
                stream.handler?.endElement(String(cString: name))
            },
            error: { context, code, line, column in
                guard let stream = XMLStream.from(context) else { return }
                stream.handler?.xmlError(code: Int(code), line: Int(line), column: Int(column), atEnd: stream.ending)
            })
        return klever_xml_parser_create(callbacks, Unmanaged.passUnretained(self).toOpaque(), bytes, count)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> XMLStream? {
        context.map { Unmanaged<XMLStream>.fromOpaque($0).takeUnretainedValue() }
    }
}
