import CHDF5
import Foundation
import ModelPackage

/// An HDF5 file opened read-only through libhdf5: the groups and attributes of its
/// object tree, read on demand (the shared low-level reader of the HDF5-based formats).
///
/// libhdf5 reads only the metadata a call asks for, so opening a file of many megabytes
/// of weights touches a few kilobytes of it; a dataset is read only when asked for, piece
/// by piece (``HDF5Group/readDataset(_:pieceBytes:_:)``). Every use
/// goes through ``read(_:name:as:_:)``, which holds a process-wide lock (builds of libhdf5
/// without thread safety must not be entered from two threads; other users of libhdf5
/// take it through ``serialized(_:)``) and closes the file afterwards, so no handle
/// outlives the call.
package struct HDF5File {
    /// The root group, `/`.
    package let root: HDF5Group

    /// Opens the file, runs `body` on it and closes it. A file that is not HDF5, or that
    /// libhdf5 cannot open (truncated, corrupt), throws a `malformedModel` error
    /// describing it as a file of `format`.
    package static func read<T>(_ url: URL, name: String, as format: Format, _ body: (HDF5File) throws -> T) throws -> T {
        try check(MappedFile(url, name: name), as: format)
        // By path: libhdf5 reads only the metadata asked for, never the weights.
        return try open(name: name, as: format, body) { access in H5Fopen(url.path, klever_H5F_ACC_RDONLY(), access) }
    }

    /// ``read(_:name:as:_:)`` over a file image in memory (libhdf5's core driver), for
    /// the fuzz harness: libhdf5 copies the image, so this is for small inputs only.
    package static func read<T>(image: MappedFile, as format: Format, _ body: (HDF5File) throws -> T) throws -> T {
        try check(image, as: format)
        return try open(name: image.name, as: format, body) { access in
            guard H5Pset_fapl_core(access, 1 << 16, false) >= 0,
                  H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: image.bytes.baseAddress), image.count) >= 0
            else { return -1 }
            return H5Fopen(image.name, klever_H5F_ACC_RDONLY(), access)
        }
    }

    /// Refuses what is not HDF5, and what libhdf5 would hang or crash on.
    private static func check(_ file: MappedFile, as format: Format) throws {
        guard let superblock = superblockOffset(file.bytes) else {
            throw file.malformed(format, file.count == 0 ? "empty file" : "not an HDF5 file (no HDF5 signature)")
        }
        // The superblock's size of lengths: bytes 13-14 of versions 0 and 1 hold the sizes
        // of offsets and lengths, bytes 9-10 of versions 2 and 3.
        let bytes = file.bytes
        guard superblock + 15 <= bytes.count else { throw file.malformed(format, "truncated: the HDF5 superblock is cut short") }
        let lengthSize = Int(bytes[superblock + (bytes[superblock + 8] < 2 ? 14 : 10)])
        guard [2, 4, 8].contains(lengthSize) else {
            throw file.malformed(format, "the HDF5 superblock gives lengths of \(lengthSize) bytes, not 2, 4 or 8")
        }
        if let problem = HDF5GlobalHeapCheck.problem(in: file, lengthSize: lengthSize) {
            throw file.malformed(format, "\(problem); the file is damaged")
        }
    }

    /// Opens a file with `opening` (given a file-access property list), runs `body` on its
    /// root group and closes it.
    private static func open<T>(
        name: String, as format: Format, _ body: (HDF5File) throws -> T, opening: (hid_t) -> hid_t
    ) throws -> T {
        try serialized {
            klever_H5E_silence()
            let access = H5Pcreate(klever_H5P_FILE_ACCESS())
            guard access >= 0 else { throw HDF5Error.malformed(name, "libhdf5 cannot make a file-access property list") }
            defer { H5Pclose(access) }
            klever_H5P_no_file_locking(access)
            let file = opening(access)
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

    /// Where the superblock starts: at the file's start or after a user block of 512,
    /// 1024, 2048, ... bytes.
    private static func superblockOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<offset + signature.count].elementsEqual(signature) { return offset }
            offset = offset == 0 ? 512 : offset * 2
        }
        return nil
    }
}

/// A group of an open ``HDF5File``; valid only inside `HDF5File.read`.
package struct HDF5Group {
    fileprivate let id: hid_t
    /// How errors name the file.
    package let file: String
    /// The group's path in the file (`/`, `/model_weights`).
    package let path: String

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
        return try strings(of: attribute, type: type, count: 1, name: name, limit: limit)[0]
    }

    /// `count` strings of a string attribute, fixed- or variable-length; those that
    /// would take more than `limit` bytes (all fixed-length ones together, each
    /// variable-length one) throw.
    fileprivate func strings(of attribute: hid_t, type: hid_t, count: Int, name: String, limit: Int) throws -> [String] {
        if H5Tis_variable_str(type) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attribute, type, &pointers) >= 0 else { throw HDF5Error.malformed(file, "cannot read attribute \(name)") }
            defer { for pointer in pointers { H5free_memory(pointer) } }
            return try pointers.map { pointer in
                guard let pointer else { return "" }
                let length = strnlen(pointer, limit + 1)
                guard length <= limit else { throw HDF5Error.tooLong(file, name, limit) }
                return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
            }
        }
        let size = H5Tget_size(type)
        guard size > 0 else { throw HDF5Error.malformed(file, "cannot read the size of attribute \(name)") }
        guard size <= limit / count else { throw HDF5Error.tooLong(file, name, limit) }
        var buffer = [UInt8](repeating: 0, count: size * count)
        guard H5Aread(attribute, type, &buffer) >= 0 else { throw HDF5Error.malformed(file, "cannot read attribute \(name)") }
        // Fixed-length strings are padded with NULs (or spaces, which JSON and
        // version strings ignore).
        return (0..<count).map { index in
            String(decoding: buffer[index * size..<(index + 1) * size].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Longest member name read (HDF5 names have no limit of their own).
    private static let maxNameLength = 1 << 16
}

/// A dataset's element type and shape, as stored.
package struct HDF5DatasetInfo: Equatable, Sendable {
    package let dType: DType
    package let shape: [Int]

    /// The size of its elements read little-endian, one after another.
    package var byteCount: Int { shape.reduce(dType.byteWidth ?? 0, *) }
}

extension HDF5Group {
    /// A string-list attribute (Keras' `weight_names`, `layer_names`) of the member at
    /// `member` (a path relative to the group; `.` is the group itself); nil when there is
    /// no such member or attribute. More than `limit` strings, or bytes, throw.
    package func stringListAttribute(_ name: String, of member: String, limit: Int) throws -> [String]? {
        guard exists(member), H5Aexists_by_name(id, member, name, klever_H5P_DEFAULT()) > 0 else { return nil }
        let attribute = H5Aopen_by_name(id, member, name, klever_H5P_DEFAULT(), klever_H5P_DEFAULT())
        guard attribute >= 0 else { throw HDF5Error.malformed(file, "cannot open attribute \(name) of \(member)") }
        defer { H5Aclose(attribute) }
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw HDF5Error.malformed(file, "cannot read the shape of attribute \(name)") }
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count >= 0, count <= limit else { throw HDF5Error.tooLong(file, name, limit) }
        // h5py writes an empty list as an empty array of floats.
        if count == 0 { return [] }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw HDF5Error.malformed(file, "cannot read the type of attribute \(name)") }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw HDF5Error.malformed(file, "attribute \(name) of \(member) is not a list of strings") }
        return try strings(of: attribute, type: type, count: count, name: name, limit: limit)
    }

    /// The type and shape of the dataset at `path` (relative to the group); nil when
    /// there is none. Types other than numbers throw.
    package func datasetInfo(_ path: String) throws -> HDF5DatasetInfo? {
        guard exists(path) else { return nil }
        return try withDataset(path) { _, info in info }
    }

    /// Reads the dataset at `path`, little-endian, in pieces of whole rows (slices of its
    /// first dim) of about `pieceBytes` each, or one row when a row is larger; passes
    /// each piece to `body` in order. Memory stays near one piece, whatever the size
    /// of the dataset.
    package func readDataset(_ path: String, pieceBytes: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard exists(path) else { throw HDF5Error.malformed(file, "no dataset \(path) in \(self.path)") }
        try withDataset(path) { dataset, info in
            guard info.byteCount > 0 else { return }
            let fileType = H5Dget_type(dataset)
            guard fileType >= 0 else { throw HDF5Error.malformed(file, "cannot read the type of \(path)") }
            defer { H5Tclose(fileType) }
            // The stored type made little-endian: libhdf5 swaps bytes if the file's are not.
            let memoryType = H5Tcopy(fileType)
            guard memoryType >= 0, H5Tset_order(memoryType, H5T_ORDER_LE) >= 0 else { throw HDF5Error.malformed(file, "cannot read \(path)") }
            defer { H5Tclose(memoryType) }
            let fileSpace = H5Dget_space(dataset)
            guard fileSpace >= 0 else { throw HDF5Error.malformed(file, "cannot read the shape of \(path)") }
            defer { H5Sclose(fileSpace) }

            // A scalar is one row of itself.
            let dims = info.shape.isEmpty ? [1] : info.shape
            let rowBytes = info.byteCount / dims[0]
            let rowsPerPiece = max(1, pieceBytes / rowBytes)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(dims[0], rowsPerPiece) * rowBytes, alignment: 16)
            defer { buffer.deallocate() }
            for first in stride(from: 0, to: dims[0], by: rowsPerPiece) {
                let rows = min(rowsPerPiece, dims[0] - first)
                var start = [hsize_t](repeating: 0, count: dims.count), count = dims.map { hsize_t($0) }
                start[0] = hsize_t(first)
                count[0] = hsize_t(rows)
                let memorySpace = H5Screate_simple(Int32(dims.count), count, nil)
                guard memorySpace >= 0 else { throw HDF5Error.malformed(file, "cannot read dataset \(path)") }
                defer { H5Sclose(memorySpace) }
                let selected = info.shape.isEmpty || H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0
                guard selected, H5Dread(dataset, memoryType, memorySpace, info.shape.isEmpty ? klever_H5S_ALL() : fileSpace,
                                        klever_H5P_DEFAULT(), buffer.baseAddress) >= 0
                else { throw HDF5Error.malformed(file, "cannot read dataset \(path)") }
                try body(UnsafeRawBufferPointer(rebasing: buffer[..<(rows * rowBytes)]))
            }
        }
    }

    /// Whether every link of a relative path exists (libhdf5 fails, not answers, when a
    /// link before the last is missing).
    private func exists(_ path: String) -> Bool {
        guard path != "." else { return true }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += prefix.isEmpty ? String(component) : "/\(component)"
            guard H5Lexists(id, prefix, klever_H5P_DEFAULT()) > 0 else { return false }
        }
        return true
    }

    /// Opens a dataset, reads its type and shape, and runs `body` on it.
    private func withDataset<T>(_ path: String, _ body: (hid_t, HDF5DatasetInfo) throws -> T) throws -> T {
        let dataset = H5Dopen2(id, path, klever_H5P_DEFAULT())
        guard dataset >= 0 else { throw HDF5Error.malformed(file, "\(path) is not a dataset") }
        defer { H5Dclose(dataset) }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw HDF5Error.malformed(file, "cannot read the type of \(path)") }
        defer { H5Tclose(type) }
        guard let dType = Self.dType(type) else {
            throw KleverError(.unsupportedModel, file: file, "dataset \(path) holds elements of a type klever does not read")
        }
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Error.malformed(file, "cannot read the shape of \(path)") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 32 else { throw HDF5Error.malformed(file, "cannot read the shape of \(path)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw HDF5Error.malformed(file, "cannot read the shape of \(path)") }
        let shape = dims.map { Int(clamping: $0) }
        // The sizes come from the file, which may lie: their product must be a size.
        var bytes = dType.byteWidth ?? 0
        for dim in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw HDF5Error.malformed(file, "\(path) claims more bytes than can exist") }
            bytes = product
        }
        return try body(dataset, HDF5DatasetInfo(dType: dType, shape: shape))
    }

    /// The numpy type of a stored number type (as h5py writes numpy's: IEEE floats,
    /// two's-complement integers).
    private static func dType(_ type: hid_t) -> DType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return [2: .float16, 4: .float32, 8: .float64][size]
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) != H5T_SGN_NONE
            return (signed ? [1: .int8, 2: .int16, 4: .int32, 8: .int64] : [1: .uint8, 2: .uint16, 4: .uint32, 8: .uint64])[size]
        default: return nil
        }
    }
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
