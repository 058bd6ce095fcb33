import Foundation
import ModelPackage
import Schemas

/// Writes a TensorFlow checkpoint in the V2 "tensor bundle" format that SavedModel's
/// `variables/` holds: `<prefix>.data-00000-of-00001` with the tensors' bytes one after
/// another, and `<prefix>.index`, a table from tensor name to dtype, shape, offset,
/// size and checksum (the empty key holds the header).
struct TensorBundleWriter {
    private let data: BufferedFileWriter
    private let indexURL: URL
    private var entries: [String: Tensorflow_BundleEntryProto] = [:]

    init(prefix: URL) throws {
        data = try BufferedFileWriter(URL(fileURLWithPath: prefix.path + ".data-00000-of-00001"), name: "model/variables/variables.data-00000-of-00001")
        indexURL = URL(fileURLWithPath: prefix.path + ".index")
    }

    /// Appends one tensor's little-endian bytes.
    mutating func add(_ name: String, dType: DType, shape: [Int], bytes: UnsafeRawBufferPointer) throws {
        try add(name, dType: dType, shape: shape) { append in try append(bytes) }
    }

    /// Appends one tensor's little-endian bytes, which `produce` passes to `append`
    /// piece by piece, in order: a large tensor needs no buffer of its size.
    mutating func add(
        _ name: String, dType: DType, shape: [Int], pieces produce: (_ append: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        precondition(entries[name] == nil, "tensor \(name) added twice")
        let offset = data.bytesWritten
        var crc = CRC32C()
        try produce { piece in
            crc.update(piece)
            try data.write(piece)
        }
        var entry = Tensorflow_BundleEntryProto()
        entry.dtype = Tensorflow_DataType(rawValue: dType.tensorFlowCode ?? 0) ?? .dtInvalid
        entry.shape.dim = shape.map { size in .with { $0.size = Int64(size) } }
        entry.offset = Int64(offset)
        entry.size = Int64(data.bytesWritten - offset)
        entry.crc32C = crc.masked
        entries[name] = entry
    }

    /// Closes the data file and writes the index.
    func finish() throws {
        try data.close()
        var table = TableWriter()
        var header = Tensorflow_BundleHeaderProto()
        header.numShards = 1
        header.endianness = .little
        header.version.producer = 1
        table.add(key: [], value: try header.serializedBytes())
        for (name, entry) in entries.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            table.add(key: Array(name.utf8), value: try entry.serializedBytes())
        }
        let writer = try BufferedFileWriter(indexURL, name: "model/variables/variables.index")
        try writer.write(table.finish())
        try writer.close()
    }
}
