import CHDF5
import Foundation
import ModelPackage

/// An HDF5 file opened read-only through libhdf5: the groups and attributes of its
/// object tree, read on demand (the shared low-level reader of the HDF5-based formats).
///
/// libhdf5 reads only the metadata a call asks for, so opening a file of many megabytes
/// of weights touches a few kilobytes of it; datasets are never read here. Every use
/// goes through ``read(_:name:as:_:)``, which holds a process-wide lock (builds of libhdf5
/// without thread safety must not be entered from two threads; other users of libhdf5
/// take it through ``serialized(_:)``) and closes the file afterwards, so no handle
/// outlives the call.
struct HDF5File {
    /// The root group, `/`.
    let root: HDF5Group

    /// Opens the file, runs `body` on it and closes it. A file that is not HDF5, or that
    /// libhdf5 cannot open (truncated, corrupt), throws a `malformedModel` error
    /// describing it as a file of `format`.
    static func read<T>(_ url: URL, name: String, as format: Format, _ body: (HDF5File) throws -> T) throws -> T {
        let mapped = try MappedFile(url, name: name)
        guard hasSignature(mapped.bytes) else {
            throw mapped.malformed(format, mapped.count == 0 ? "empty file" : "not an HDF5 file (no HDF5 signature)")
        }
        return try serialized {
            klever_H5E_silence()
            let access = H5Pcreate(klever_H5P_FILE_ACCESS())
            defer { if access >= 0 { H5Pclose(access) } }
            if access >= 0 { klever_H5P_no_file_locking(access) }
            let file = H5Fopen(url.path, klever_H5F_ACC_RDONLY(), access >= 0 ? access : klever_H5P_DEFAULT())
            guard file >= 0 else {
                throw KleverError(
                    .malformedModel, file: name,
                    "not a valid \(format.fileDescription): libhdf5 cannot open it (\(HDF5Error.current() ?? "corrupt or truncated")); the file is damaged or cut short")
            }
            defer { H5Fclose(file) }
            let root = H5Gopen2(file, "/", klever_H5P_DEFAULT())
            guard root >= 0 else { throw HDF5Error.malformed(name, "cannot open the root group") }
            defer { H5Gclose(root) }
            return try body(HDF5File(root: HDF5Group(id: root, file: name, path: "/")))
        }
    }

    /// Runs `body` holding the lock that every use of libhdf5 in the process takes.
    static func serialized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private static let lock = NSLock()

    /// HDF5's format signature, which starts the file or a user block of 512, 1024,
    /// 2048, ... bytes before it.
    private static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    private static func hasSignature(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<offset + signature.count].elementsEqual(signature) { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }
}

/// A group of an open ``HDF5File``; valid only inside `HDF5File.read`.
struct HDF5Group {
    fileprivate let id: hid_t
    /// How errors name the file.
    let file: String
    /// The group's path in the file (`/`, `/model_weights`).
    let path: String

    /// Whether the group has an attribute of this name.
    func hasAttribute(_ name: String) -> Bool { H5Aexists(id, name) > 0 }

    /// The names of the group's attributes, at most `limit` of them.
    func attributeNames(limit: Int) throws -> [String] {
        let names = NameCollector(limit: limit)
        let status = H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, context in
            let names = Unmanaged<NameCollector>.fromOpaque(context!).takeUnretainedValue()
            return names.add(name)
        }, Unmanaged.passUnretained(names).toOpaque())
        guard status >= 0 else { throw HDF5Error.malformed(file, "cannot list the attributes of \(path)") }
        return names.names
    }

    /// The names of the group's members (groups, datasets, links), at most `limit` of them.
    func memberNames(limit: Int) throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw HDF5Error.malformed(file, "cannot list the members of \(path)") }
        var names: [String] = []
        for index in 0..<min(info.nlinks, hsize_t(max(limit, 0))) {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, klever_H5P_DEFAULT())
            guard length >= 0, length < HDF5Group.maxNameLength else { throw HDF5Error.malformed(file, "cannot read a member name of \(path)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            guard H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, klever_H5P_DEFAULT()) >= 0 else {
                throw HDF5Error.malformed(file, "cannot read a member name of \(path)")
            }
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Whether the group has a member group of this name.
    func hasGroup(_ name: String) -> Bool {
        guard H5Lexists(id, name, klever_H5P_DEFAULT()) > 0 else { return false }
        let group = H5Gopen2(id, name, klever_H5P_DEFAULT())
        guard group >= 0 else { return false }
        H5Gclose(group)
        return true
    }

    /// A string attribute (fixed- or variable-length, scalar or of one element); nil
    /// when the group has no attribute of this name. Longer than `limit` bytes throws:
    /// the length comes from the file, which may lie.
    func stringAttribute(_ name: String, limit: Int) throws -> String? {
        guard hasAttribute(name) else { return nil }
        let attribute = H5Aopen(id, name, klever_H5P_DEFAULT())
        guard attribute >= 0 else { throw HDF5Error.malformed(file, "cannot open attribute \(name)") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw HDF5Error.malformed(file, "cannot read the type of attribute \(name)") }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw HDF5Error.malformed(file, "attribute \(name) is not a string") }
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw HDF5Error.malformed(file, "cannot read the shape of attribute \(name)") }
        defer { H5Sclose(space) }
        let count = H5Sget_simple_extent_npoints(space)
        guard count == 1 else { throw HDF5Error.malformed(file, "attribute \(name) holds \(count) strings, not one") }

        let bytes: [UInt8]
        if H5Tis_variable_str(type) > 0 {
            var pointer: UnsafeMutablePointer<CChar>?
            guard H5Aread(attribute, type, &pointer) >= 0 else { throw HDF5Error.malformed(file, "cannot read attribute \(name)") }
            guard let pointer else { return "" }
            defer { H5free_memory(pointer) }
            let length = strnlen(pointer, limit + 1)
            guard length <= limit else { throw HDF5Error.tooLong(file, name, limit) }
            bytes = Array(UnsafeRawBufferPointer(start: pointer, count: length))
        } else {
            let size = H5Tget_size(type)
            guard size > 0 else { throw HDF5Error.malformed(file, "cannot read the size of attribute \(name)") }
            guard size <= limit else { throw HDF5Error.tooLong(file, name, limit) }
            var buffer = [UInt8](repeating: 0, count: size)
            guard H5Aread(attribute, type, &buffer) >= 0 else { throw HDF5Error.malformed(file, "cannot read attribute \(name)") }
            // Fixed-length strings are padded with NULs (or spaces, which JSON and
            // version strings ignore).
            bytes = Array(buffer.prefix { $0 != 0 })
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Longest member name read (HDF5 names have no limit of their own).
    private static let maxNameLength = 1 << 16
}

/// Gathers names from a libhdf5 iteration callback.
private final class NameCollector {
    let limit: Int
    var names: [String] = []

    init(limit: Int) { self.limit = limit }

    /// Adds a name; returns 1 (stop iterating) once `limit` names are in.
    func add(_ name: UnsafePointer<CChar>?) -> herr_t {
        if let name { names.append(String(cString: name)) }
        return names.count >= limit ? 1 : 0
    }
}

/// libhdf5's failures as klever errors.
enum HDF5Error {
    /// The most specific message on the calling thread's HDF5 error stack.
    static func current() -> String? {
        var messages: [String] = []
        withUnsafeMutablePointer(to: &messages) { pointer in
            _ = H5Ewalk2(klever_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, error, context in
                if let description = error?.pointee.desc {
                    context!.assumingMemoryBound(to: [String].self).pointee.append(String(cString: description))
                }
                return 0
            }, pointer)
        }
        return messages.last { !$0.isEmpty }
    }

    /// A file libhdf5 opened but could not read as expected.
    static func malformed(_ file: String, _ what: String) -> KleverError {
        let detail = current().map { "\(what) (\($0))" } ?? what
        return KleverError(.malformedModel, file: file, "corrupt HDF5 file: \(detail)")
    }

    static func tooLong(_ file: String, _ attribute: String, _ limit: Int) -> KleverError {
        KleverError(.malformedModel, file: file, "attribute \(attribute) is longer than \(limit / (1 << 20)) MiB")
    }
}
