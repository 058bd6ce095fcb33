import Foundation
import ModelPackage

#if canImport(Glibc)
import Glibc
#endif

/// libhdf5 1.10 trusts the global heap collections (`GCOL`) that hold variable-length
/// strings such as Keras' `model_config`: a free-space object of size 0 makes its
/// reader loop forever, an object longer than its collection makes it read past the
/// collection. Before libhdf5 is let near a file, every collection in it is walked as
/// libhdf5 walks it (H5HG's deserialization), with bounds.
enum HDF5GlobalHeapCheck {
    /// What is wrong with the file's global heap, or nil when libhdf5 may read it.
    /// `lengthSize` is the superblock's size of lengths. A mapped file is scanned
    /// window by window, its pages given back behind the scan.
    static func problem(in file: MappedFile, lengthSize: Int) -> String? {
        let bytes = file.bytes
        let window = 1 << 20
        var start = 0
        while start < bytes.count {
            // Windows overlap by a signature's length less one, so none is cut in two.
            let end = min(start + window + signature.count - 1, bytes.count)
            var offset = start
            while let found = find(signature, in: bytes, from: offset, to: end) {
                if let problem = collectionProblem(at: found, in: bytes, lengthSize: lengthSize) { return problem }
                offset = found + 1
            }
            file.releasePages(start..<min(start + window, bytes.count))
            start += window
        }
        return nil
    }

    private static let signature = Array("GCOL".utf8)
    /// The only collection version libhdf5 reads.
    private static let version: UInt8 = 1

    /// The first offset of `pattern` in `bytes[from..<to]`: memchr finds the candidates,
    /// so a file of weights is passed over at memory speed.
    private static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var index = from
        while index + pattern.count <= to {
            guard let hit = memchr(base + index, Int32(pattern[0]), to - index) else { return nil }
            index = base.distance(to: UnsafeRawPointer(hit))
            guard index + pattern.count <= to else { return nil }
            if bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    /// Walks the collection at `start` (signature found) as H5HG__cache_heap_deserialize
    /// does: objects of a 2-byte index, 2-byte reference count, 4 reserved bytes, a
    /// length, and their data padded to 8 bytes; index 0 is free space.
    private static func collectionProblem(at start: Int, in bytes: UnsafeRawBufferPointer, lengthSize: Int) -> String? {
        let header = 8 + lengthSize
        guard start + header <= bytes.count, bytes[start + 4] == version else { return nil }  // libhdf5 would refuse it
        let size = length(bytes, at: start + 8, size: lengthSize)
        // A collection reaching past the file is refused by libhdf5's read of it.
        guard size <= UInt64(bytes.count - start) else { return nil }
        let end = start + Int(size)
        let objectHeader = 8 + lengthSize
        var position = start + header
        while position < end {
            if position + objectHeader > end { break }  // too short for an object: free space
            let index = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            let objectSize = length(bytes, at: position + 8, size: lengthSize)
            let room = UInt64(end - position - objectHeader)
            let need: UInt64
            if index > 0 {
                guard objectSize <= room else {
                    return "global heap collection at byte \(start): object \(index) of \(objectSize) bytes runs past the collection"
                }
                need = UInt64(objectHeader) + (objectSize + 7) / 8 * 8
            } else {
                // libhdf5 steps to the free space's end without a check: by 0 it never
                // moves, by more than is left its pointer can wrap around.
                need = objectSize
                guard need > 0 else {
                    return "global heap collection at byte \(start): free space of size 0 at byte \(position), which libhdf5 reads forever"
                }
                guard need <= UInt64(end - position) else {
                    return "global heap collection at byte \(start): free space of \(need) bytes runs past the collection"
                }
            }
            guard need <= UInt64(end - position) else { break }  // an object's padding past the end: the walk ends
            position += Int(need)
        }
        return nil
    }

    /// A little-endian length of `size` bytes (the superblock's size of lengths).
    private static func length(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<min(size, 8)).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }
}
