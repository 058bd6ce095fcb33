import ModelPackage

/// The arrays of an MXNet `.params` file (the NDArray list `mx.nd.save` and Gluon's
/// `export` write): names, shapes and dtypes, read from the memory map header by header;
/// the weights themselves are skipped by their computed size, never read.
///
/// Layout (little-endian): uint64 magic 0x112, uint64 reserved, uint64 count, `count`
/// NDArrays, uint64 name count, names (uint64 length + bytes). An NDArray starts with a
/// uint32 that says its layout: 0xF993FAC9 (v2) or 0xF993FACA (v3, NumPy shape
/// semantics) with a storage type; 0xF993FAC8 (v1) with int64 dims; anything else is the
/// legacy layout, where that uint32 is the number of uint32 dims.
package struct MXNetParams {
    /// One saved array; `shape` and `dType` are nil for an empty (`None`) array.
    package struct Header {
        package let name: String
        package let shape: [Int]?
        package let dType: DType?
        /// Where a dense array's values lie in the file (little-endian, row-major), so a
        /// converter can copy them straight from the map; nil for an empty or sparse array.
        package let data: Range<Int>?
    }

    package let arrays: [Header]

    static let listMagic: UInt64 = 0x112

    package init(_ file: MappedFile) throws {
        do throws(NDArrayReader.Failure) {
            var reader = NDArrayReader(bytes: file.bytes)
            arrays = try reader.arrayList()
        } catch {
            throw file.malformed(.mxnetParams, error.detail)
        }
    }

    /// The arrays' shapes and dtypes by the names the symbol's variables have.
    package var parameters: [String: InferredTensor] {
        named.mapValues { InferredTensor(dType: $0.dType, shape: $0.shape.flatMap(Shapes.bounded)) }
    }

    /// The arrays by the names the symbol's variables have: Gluon's `export` and
    /// `save_checkpoint` prefix them `arg:` (weights) and `aux:` (running statistics).
    package var named: [String: Header] {
        var named: [String: Header] = [:]
        for array in arrays {
            named[array.name.hasPrefix("arg:") || array.name.hasPrefix("aux:") ? String(array.name.dropFirst(4)) : array.name] = array
        }
        return named
    }
}

/// Reads an NDArray list, checking every count and length against the bytes left, so a
/// hostile count fails before anything is allocated for it.
private struct NDArrayReader {
    struct Failure: Error {
        let detail: String
        init(_ detail: String) { self.detail = detail }
    }

    let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private static let v1Magic: UInt32 = 0xF993_FAC8
    private static let v2Magic: UInt32 = 0xF993_FAC9
    private static let v3Magic: UInt32 = 0xF993_FACA

    private var remaining: Int { bytes.count - offset }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    mutating func arrayList() throws(Failure) -> [MXNetParams.Header] {
        guard bytes.count >= 8, bytes.loadUnaligned(as: UInt64.self).littleEndian == MXNetParams.listMagic else {
            // The symbol JSON saved under the params name is the likely mix-up.
            let json = bytes.first { !Self.whitespace.contains($0) } == UInt8(ascii: "{")
            throw Failure("does not start with the NDArray list magic 0x112" + (json ? "; it is JSON, like a symbol file" : ""))
        }
        offset = 16  // the magic and a reserved word
        let count = try read(UInt64.self, "the array count")
        // Every array takes at least 4 bytes (its magic or its rank): more cannot fit.
        guard count <= UInt64(remaining / 4) else {
            throw Failure("declares \(count) arrays but the file has \(bytes.count) bytes")
        }
        var headers: [ArrayHeader] = []
        headers.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            do {
                headers.append(try array(index))
            } catch {
                // A count larger than what was saved reads names as arrays: say what was promised.
                throw Failure("\(error.detail) (the file declares \(count) arrays)")
            }
        }

        let nameCount = try read(UInt64.self, "the name count")
        guard nameCount == 0 || nameCount == count else {
            throw Failure("has \(nameCount) names for \(count) arrays")
        }
        var names: [String] = []
        names.reserveCapacity(Int(nameCount))
        for index in 0..<Int(nameCount) {
            let length = try read(UInt64.self, "the length of name \(index)")
            guard length <= UInt64(remaining) else {
                throw Failure("truncated: name \(index) is \(length) bytes long, \(remaining) remain")
            }
            names.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]), as: UTF8.self))
            offset += Int(length)
        }
        return headers.enumerated().map { index, header in
            MXNetParams.Header(name: index < names.count ? names[index] : "", shape: header.shape, dType: header.dType, data: header.data)
        }
    }

    /// What one NDArray's header says, and where its dense data lies.
    private typealias ArrayHeader = (shape: [Int]?, dType: DType?, data: Range<Int>?)

    /// One NDArray's shape and dtype, and where its data lies; the data (and a sparse
    /// array's indices) skipped.
    private mutating func array(_ index: Int) throws(Failure) -> ArrayHeader {
        let magic = try read(UInt32.self, "the header of array \(index)")
        var dataShape: [Int]?
        var auxiliaryCount = 0
        let shape: [Int]?
        switch magic {
        case Self.v2Magic, Self.v3Magic:
            let storage = try read(Int32.self, "the storage type of array \(index)")
            switch storage {
            case -1, 0: auxiliaryCount = 0  // undefined, dense
            case 1: auxiliaryCount = 1  // row_sparse: row indices
            case 2: auxiliaryCount = 2  // csr: indptr, indices
            default: throw Failure("array \(index) has storage type \(storage), which MXNet does not define")
            }
            if auxiliaryCount > 0 { dataShape = try int64Shape("the storage shape of array \(index)") }
            shape = try int64Shape("the shape of array \(index)")
            // v2 marks an empty array by rank 0; v3 by an unknown rank or dim.
            let isNone = magic == Self.v2Magic ? shape?.isEmpty ?? true : shape?.contains(-1) ?? true
            if isNone { return (nil, nil, nil) }
        case Self.v1Magic:
            shape = try int64Shape("the shape of array \(index)")
            if shape?.isEmpty ?? true { return (nil, nil, nil) }
        default:
            let rank = Int(magic)
            guard rank <= remaining / 4 else {
                throw Failure("array \(index) has no NDArray magic number, and read as a legacy header it has \(rank) dims, more than the \(remaining) bytes left hold")
            }
            if rank == 0 { return (nil, nil, nil) }
            var dims: [Int] = []
            for _ in 0..<rank { dims.append(Int(try read(UInt32.self, "the shape of array \(index)"))) }
            shape = dims
        }
        guard let shape else { return (nil, nil, nil) }
        // A dim beyond any tensor's passes the size check when another dim is 0.
        guard shape.allSatisfy({ (0...Dim.limit).contains($0) }) else { throw Failure("array \(index) has the shape \(shape)") }
        try skip(8, "the context of array \(index)")  // device type, device id
        let flag = try read(Int32.self, "the dtype of array \(index)")
        guard let dType = DType(mxnet: flag), let width = dType.byteWidth else {
            throw Failure("array \(index) has dtype flag \(flag), which MXNet does not define")
        }
        var auxiliarySizes: [Int] = []
        for auxiliary in 0..<auxiliaryCount {
            let auxiliaryFlag = try read(Int32.self, "the index dtype of array \(index)")
            guard let auxiliaryType = DType(mxnet: auxiliaryFlag), let auxiliaryWidth = auxiliaryType.byteWidth else {
                throw Failure("array \(index) has index dtype flag \(auxiliaryFlag), which MXNet does not define")
            }
            guard let auxiliaryShape = try int64Shape("the index shape \(auxiliary) of array \(index)"), auxiliaryShape.allSatisfy({ $0 >= 0 }) else {
                throw Failure("array \(index) has an index array of unknown shape")
            }
            auxiliarySizes.append(try byteCount(auxiliaryShape, width: auxiliaryWidth, index))
        }
        let start = offset
        try skip(try byteCount(dataShape ?? shape, width: width, index), "the data of array \(index) \(shape)")
        let data = auxiliaryCount == 0 ? start..<offset : nil
        for size in auxiliarySizes { try skip(size, "the indices of array \(index)") }
        return (shape, dType, data)
    }

    /// An int32 rank then int64 dims; nil for rank -1 (unknown, v3).
    private mutating func int64Shape(_ what: String) throws(Failure) -> [Int]? {
        let rank = try read(Int32.self, what)
        if rank == -1 { return nil }
        guard rank >= 0, Int(rank) <= remaining / 8 else {
            throw Failure("\(what) has rank \(rank), more than the \(remaining) bytes left hold")
        }
        var dims: [Int] = []
        dims.reserveCapacity(Int(rank))
        for _ in 0..<Int(rank) {
            let dim = try read(Int64.self, what)
            guard dim >= -1 else { throw Failure("\(what) has the dim \(dim)") }
            dims.append(Int(dim))
        }
        return dims
    }

    private func byteCount(_ shape: [Int], width: Int, _ index: Int) throws(Failure) -> Int {
        var total = width
        for dim in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw Failure("array \(index) has the shape \(shape), too large for any file") }
            total = product
        }
        return total
    }

    private mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(Failure) -> T {
        guard remaining >= MemoryLayout<T>.size else {
            throw Failure("truncated: the file ends (\(bytes.count) bytes) inside \(what)")
        }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    private mutating func skip(_ count: Int, _ what: String) throws(Failure) {
        guard count <= remaining else {
            throw Failure("truncated: \(what) takes \(count) bytes, \(remaining) remain")
        }
        offset += count
    }
}

extension DType {
    /// An mshadow type flag, as MXNet's NDArray files and `__dtype__` attributes hold it.
    init?(mxnet flag: Int32) {
        let types: [DType] = [.float32, .float64, .float16, .uint8, .int32, .int8, .int64, .bool, .int16, .uint16, .uint32, .uint64, .bfloat16]
        guard flag >= 0, Int(flag) < types.count else { return nil }
        self = types[Int(flag)]
    }
}
