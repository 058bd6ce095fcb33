import Foundation

/// Writes `.params` files byte for byte as MXNet's `NDArray::Save` does, in each of
/// the layouts MXNet has used, with zeroed weights.
struct MXNetParamsBuilder {
    enum Layout {
        /// 0xF993FAC9: storage type, int32 rank, int64 dims (MXNet 1.x).
        case v2
        /// 0xF993FACA: as v2, NumPy shape semantics (MXNet 2, `npx.save`).
        case v3
        /// 0xF993FAC8: int32 rank, int64 dims, no storage type.
        case v1
        /// No magic: uint32 rank, uint32 dims (MXNet before 0.9).
        case legacy
    }

    struct Entry {
        var name: String
        var shape: [Int]
        /// The mshadow type flag (0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 6 int64).
        var flag: Int32 = 0
    }

    var data = Data()

    /// A whole file: the list header, the arrays, their names.
    static func file(_ arrays: [Entry], layout: Layout = .v2, names: Bool = true) -> Data {
        var builder = MXNetParamsBuilder()
        builder.u64(0x112)
        builder.u64(0)
        builder.u64(UInt64(arrays.count))
        for array in arrays { builder.array(array, layout: layout) }
        builder.u64(names ? UInt64(arrays.count) : 0)
        if names {
            for array in arrays {
                builder.u64(UInt64(array.name.utf8.count))
                builder.data.append(contentsOf: Array(array.name.utf8))
            }
        }
        return builder.data
    }

    static func file(_ arrays: [(String, [Int])], layout: Layout = .v2) -> Data {
        file(arrays.map { Entry(name: $0.0, shape: $0.1) }, layout: layout)
    }

    mutating func array(_ array: Entry, layout: Layout) {
        switch layout {
        case .v2, .v3:
            u32(layout == .v2 ? 0xF993_FAC9 : 0xF993_FACA)
            i32(0)  // dense
            int64Shape(array.shape)
        case .v1:
            u32(0xF993_FAC8)
            int64Shape(array.shape)
        case .legacy:
            u32(UInt32(array.shape.count))
            for dim in array.shape { u32(UInt32(dim)) }
        }
        i32(1)  // cpu
        i32(0)
        i32(array.flag)
        let width = [4, 8, 2, 1, 4, 1, 8][Int(array.flag)]
        data.append(Data(count: array.shape.reduce(width, *)))
    }

    /// A row_sparse array (v2): storage shape, shape, then the row index array.
    mutating func rowSparse(shape: [Int], rows: Int) {
        u32(0xF993_FAC9)
        i32(1)
        int64Shape([rows] + shape.dropFirst())
        int64Shape(shape)
        i32(1)
        i32(0)
        i32(0)  // float32 values
        i32(6)  // int64 row indices
        int64Shape([rows])
        data.append(Data(count: 4 * ([rows] + shape.dropFirst()).reduce(1, *)))
        data.append(Data(count: 8 * rows))
    }

    mutating func int64Shape(_ shape: [Int]) {
        i32(Int32(shape.count))
        for dim in shape { i64(Int64(dim)) }
    }

    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func i32(_ value: Int32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    mutating func i64(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
}
