import Foundation
import TestSupport

/// Small ormb packages made on the fly.
enum TestPackages {
    /// An ONNX-format package with a few files (nested folders, an empty file, a hidden
    /// file) and `model.onnx` of `size` pseudo-random bytes.
    static func make(in scratch: TemporaryDirectory, name: String = "pkg", size: Int = 300_000, seed: UInt64 = 1) throws -> URL {
        let root = scratch.url.appendingPathComponent(name)
        try scratch.write("\(name)/ormbfile.yaml", "author: tester\nformat: ONNX\ntags: [a, b]\nmetrics:\n  acc: 0.9\n")
        try scratch.write("\(name)/model/model.onnx", bytes(size, seed: seed))
        try scratch.write("\(name)/model/extra/weights.bin", bytes(4096, seed: seed + 1))
        try scratch.write("\(name)/model/extra/empty", Data())
        try scratch.write("\(name)/model/.hidden", "hidden\n")
        return root
    }

    /// Deterministic pseudo-random bytes (xorshift), incompressible like real weights.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        return Data(bytes)
    }

    /// Every regular file under a folder, relative path → bytes.
    static func files(under root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = root.standardizedFileURL.path
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            files[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }
}
