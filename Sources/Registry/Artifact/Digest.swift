import Crypto
import Foundation
import ModelPackage

/// A content digest, `sha256:<64 lowercase hex digits>`: the only algorithm OCI
/// registries are required to support, and the only one klever accepts.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    /// Parses `sha256:<hex>`; anything else is refused (a hostile manifest cannot make
    /// klever build paths or URLs from arbitrary text).
    public init(parsing text: String) throws {
        guard text.hasPrefix("sha256:") else {
            throw KleverError(.pull, file: text, "unsupported digest (only sha256:<64 hex digits>)")
        }
        let hex = text.dropFirst("sha256:".count)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw KleverError(.pull, file: text, "malformed sha256 digest")
        }
        self.hex = String(hex)
    }

    fileprivate init(trustedHex: String) { hex = trustedHex }

    public var description: String { "sha256:" + hex }

    /// The digest of bytes in memory.
    public static func of(_ data: Data) -> Digest {
        var hasher = DigestHasher()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// The digest of a file, read in large chunks (never whole into memory).
    public static func of(fileAt url: URL) throws -> Digest {
        var hasher = DigestHasher()
        try FileChunks.read(url) { hasher.update($0) }
        return hasher.finalize()
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "malformed digest '\(text.prefix(80))'"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// SHA-256 over a stream of chunks.
public struct DigestHasher {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    public func finalize() -> Digest {
        Digest(trustedHex: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// Reads a file front to back in fixed-size chunks.
enum FileChunks {
    static let chunkSize = 1 << 20

    /// Calls `body` with each chunk of the file from `offset` on.
    static func read(_ url: URL, from offset: Int64 = 0, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while true {
            let count = pread(fd, buffer.baseAddress, chunkSize, off_t(position))
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            position += Int64(count)
        }
    }
}
