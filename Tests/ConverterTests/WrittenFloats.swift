import Foundation
import TestSupport
@testable import Converter

/// The float32 values `write` puts into a file through a BufferedFileWriter.
func writtenFloats(_ write: (BufferedFileWriter) throws -> Void) throws -> [Float] {
    let scratch = try TemporaryDirectory()
    let url = scratch.url.appendingPathComponent("values")
    let writer = try BufferedFileWriter(url, name: "values")
    try write(writer)
    try writer.close()
    return try Data(contentsOf: url).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}
