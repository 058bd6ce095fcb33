import Foundation
import ModelPackage
import SwiftProtobuf

/// Which fields of a protobuf message to leave out when only a model's structure is
/// wanted: weight payloads are dropped, the messages on the way to them descended into.
///
/// Rules form a graph (ONNX graphs hold nodes whose attributes hold graphs), so they
/// are reference types, wired after creation.
package final class SkeletonRules: @unchecked Sendable {
    enum Rule {
        /// Leave the field out.
        case drop
        /// Leave a length-delimited field out when its payload is longer than this
        /// (small constants such as shape tensors stay readable).
        case dropIfLonger(than: Int)
        /// Keep the field, with its message content filtered by these rules.
        case descend(SkeletonRules)
        /// Leave a length-delimited field out when its content passes a test (a Caffe2
        /// argument named `values`).
        case dropIf(@Sendable (MessageBytes) throws -> Bool)
    }

    private(set) var rules: [Int: Rule] = [:]

    init(_ rules: [Int: Rule] = [:]) { self.rules = rules }

    func set(_ field: Int, _ rule: Rule) { rules[field] = rule }
}

/// The bytes of one embedded message, for rules that look inside before deciding.
struct MessageBytes {
    let bytes: UnsafeRawBufferPointer
    let range: Range<Int>

    /// The first value of a length-delimited field, as bytes.
    func firstBytes(of number: Int) throws -> UnsafeRawBufferPointer.SubSequence? {
        var scanner = WireScanner(bytes, range: range)
        while let field = try scanner.next() {
            if field.number == number, field.type == .lengthDelimited { return bytes[field.payload] }
        }
        return nil
    }
}

/// Copies a protobuf message without the fields its rules drop.
///
/// The input is usually a memory-mapped model: skipped payloads are passed over by
/// their length and never read, so the copy costs what the structure weighs.
enum ProtobufSkeleton {
    /// Deep enough for real models (ONNX subgraphs nest a few levels), shallow enough
    /// that hostile nesting cannot exhaust the stack.
    static let maxDepth = 64

    static func make(_ bytes: UnsafeRawBufferPointer, rules: SkeletonRules) throws -> [UInt8] {
        var output: [UInt8] = []
        try copy(bytes, range: 0..<bytes.count, rules: rules, depth: 0, into: &output)
        return output
    }

    private static func copy(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>, rules: SkeletonRules, depth: Int, into output: inout [UInt8]
    ) throws {
        guard depth < maxDepth else {
            throw WireError(detail: "messages nested more than \(maxDepth) deep", offset: range.lowerBound)
        }
        var scanner = WireScanner(bytes, range: range)
        while let field = try scanner.next() {
            switch rules.rules[field.number] {
            case nil:
                output.append(contentsOf: bytes[field.record])
            case .drop:
                continue
            case .dropIfLonger(let limit):
                if field.type == .lengthDelimited, field.payload.count > limit { continue }
                output.append(contentsOf: bytes[field.record])
            case .dropIf(let test):
                if field.type == .lengthDelimited, try test(MessageBytes(bytes: bytes, range: field.payload)) { continue }
                output.append(contentsOf: bytes[field.record])
            case .descend(let inner):
                guard field.type == .lengthDelimited else {
                    output.append(contentsOf: bytes[field.record])
                    continue
                }
                var content: [UInt8] = []
                try copy(bytes, range: field.payload, rules: inner, depth: depth + 1, into: &content)
                appendVarint(UInt64(field.number) << 3 | 2, to: &output)
                appendVarint(UInt64(content.count), to: &output)
                output.append(contentsOf: content)
            }
        }
    }

    private static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }
}

extension MappedFile {
    /// Decodes the file as a protobuf message of a format, leaving out what `rules` drop.
    package func decodeMessage<M: SwiftProtobuf.Message>(
        _ type: M.Type, of format: Format, skipping rules: SkeletonRules?
    ) throws -> M {
        guard count > 0 else { throw KleverError(.malformedModel, file: name, "empty file, not a valid \(format.fileDescription)") }
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        do {
            if let rules {
                let skeleton = try ProtobufSkeleton.make(bytes, rules: rules)
                return try M(serializedBytes: skeleton, options: options)
            }
            // The whole message, weights included (a conversion needs them): decoded
            // straight from the mapping, which no decoded field refers to.
            let mapping = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), count: count, deallocator: .none)
            return try M(serializedBytes: mapping, options: options)
        } catch let error as WireError {
            throw malformed(format, error)
        } catch let error as BinaryDecodingError {
            throw malformed(format, Self.describe(error))
        } catch {
            throw malformed(format, "\(error)")
        }
    }

    /// An error saying the file is not a valid model of `format`, with a hint when its
    /// content looks like another format.
    package func malformed(_ format: Format, _ detail: String) -> KleverError {
        var message = "not a valid \(format.fileDescription): \(detail)"
        if let guess = ContentSniffer.guess(bytes), guess.format != format {
            message += "; the content looks like \(guess.file)"
        }
        return KleverError(.malformedModel, file: name, message)
    }

    /// The error for bytes that are not the protobuf message they should be.
    package func malformed(_ format: Format, _ error: WireError) -> KleverError {
        malformed(format, "\(error.detail) (byte \(error.offset))")
    }

    private static func describe(_ error: BinaryDecodingError) -> String {
        switch error {
        case .truncated: "truncated data"
        case .invalidUTF8: "a string field is not valid UTF-8"
        case .malformedProtobuf: "malformed protobuf data"
        case .messageDepthLimit: "messages nested too deeply"
        default: "\(error)"
        }
    }
}
