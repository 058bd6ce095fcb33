import Extractor
import ModelPackage

/// The values of a repeated float or double protobuf field where they lie in a mapped
/// model, written out as float32 without ever being whole in memory.
///
/// A packed field is one run of adjacent numbers; an unpacked one (proto2's default,
/// which Caffe2's `Argument.floats` is) a field per number, tag and value. Adjacent
/// unpacked fields are kept as one strided run, not a range per number.
struct MappedValues {
    /// `count` numbers, the first at `start`, one every `stride` bytes.
    private struct Run {
        let start: Int
        var count: Int
        let stride: Int
    }

    private let file: MappedFile
    /// Bytes per number: 4 (float) or 8 (double).
    private let width: Int
    private var runs: [Run] = []
    private(set) var count = 0

    init(in file: MappedFile, width: Int) {
        self.file = file
        self.width = width
    }

    var isEmpty: Bool { count == 0 }

    /// Adds one field of the repeated number: a packed payload or a single number.
    /// Throws when a packed payload ends inside a number.
    mutating func append(_ field: WireField) throws {
        if field.type == .lengthDelimited {
            guard field.payload.count % width == 0 else { throw MappedValuesError() }
            guard !field.payload.isEmpty else { return }
            runs.append(Run(start: field.payload.lowerBound, count: field.payload.count / width, stride: width))
        } else {
            let stride = field.record.count
            // The field right after the last of a run of fields continues it.
            if let last = runs.last, last.stride == stride, last.start + last.count * stride == field.payload.lowerBound {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(Run(start: field.payload.lowerBound, count: 1, stride: stride))
            }
        }
        count += field.payload.count / width
    }

    /// The values in memory: for the small tensors a translation computes with.
    func values() -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        for run in runs { values += numbers(run.start, run.count, run.stride) }
        return values
    }

    /// Writes the values as little-endian float32, `count * 4` bytes.
    func write(to writer: BufferedFileWriter) throws {
        let chunk = 65_536
        for run in runs {
            if width == 4, run.stride == 4 {
                try writer.copy(run.start..<run.start + run.count * 4, of: file)
                continue
            }
            // Strided or double: gathered (and narrowed) a chunk at a time.
            for first in stride(from: 0, to: run.count, by: chunk) {
                let start = run.start + first * run.stride, count = min(chunk, run.count - first)
                try numbers(start, count, run.stride).withUnsafeBytes { try writer.write($0) }
                file.releasePages(start..<start + count * run.stride)
            }
        }
    }

    private func numbers(_ start: Int, _ count: Int, _ stride: Int) -> [Float] {
        (0..<count).map { index in
            let offset = start + index * stride
            return width == 4
                ? Float(bitPattern: UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                : Float(Double(bitPattern: UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
        }
    }
}

/// A packed payload of a repeated number ends inside a number.
struct MappedValuesError: Error {}
