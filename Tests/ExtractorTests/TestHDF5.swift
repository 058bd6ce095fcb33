import CHDF5
import Foundation
@testable import Extractor

/// A small HDF5 file written through libhdf5, laid out as Keras lays out its H5 files:
/// string attributes on the root and (empty) groups.
struct TestHDF5 {
    /// How h5py stores a string: `str` as variable-length, `bytes` as fixed-length.
    enum StringForm: CaseIterable, Sendable {
        case variableLength, fixedLength
    }

    private var strings: [(name: String, value: String, form: StringForm)] = []
    private var integers: [(name: String, value: Int32)] = []
    private var groups: [String] = []

    /// A Keras model file: `model_config`, `keras_version`, `backend`, `model_weights/`.
    static func kerasModel(_ config: String, form: StringForm = .variableLength, version: String = "2.21.0") -> TestHDF5 {
        var file = TestHDF5()
        file.addString("backend", "tensorflow")
        file.addString("keras_version", version)
        file.addString("model_config", config, form: form)
        file.addGroup("model_weights")
        return file
    }

    mutating func addString(_ name: String, _ value: String, form: StringForm = .variableLength) {
        strings.append((name, value, form))
    }

    mutating func addInteger(_ name: String, _ value: Int32) { integers.append((name, value)) }

    mutating func addGroup(_ path: String) { groups.append(path) }

    func write(to url: URL) throws {
        try HDF5File.serialized { try writeFile(to: url) }
    }

    private func writeFile(to url: URL) throws {
        let file = H5Fcreate(url.path, klever_H5F_ACC_TRUNC(), klever_H5P_DEFAULT(), klever_H5P_DEFAULT())
        guard file >= 0 else { throw TestHDF5Error(what: "create \(url.path)") }
        defer { H5Fclose(file) }
        for path in groups {
            let group = H5Gcreate2(file, path, klever_H5P_DEFAULT(), klever_H5P_DEFAULT(), klever_H5P_DEFAULT())
            guard group >= 0 else { throw TestHDF5Error(what: "create group \(path)") }
            H5Gclose(group)
        }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        for (name, value, form) in strings {
            let type = H5Tcopy(klever_H5T_C_S1())
            defer { H5Tclose(type) }
            let bytes = Array(value.utf8)
            H5Tset_size(type, form == .variableLength ? klever_H5T_VARIABLE() : max(bytes.count, 1))
            H5Tset_cset(type, H5T_CSET_UTF8)
            let attribute = H5Acreate2(file, name, type, space, klever_H5P_DEFAULT(), klever_H5P_DEFAULT())
            guard attribute >= 0 else { throw TestHDF5Error(what: "create attribute \(name)") }
            defer { H5Aclose(attribute) }
            let status = value.withCString { text in
                switch form {
                case .variableLength:
                    var pointer: UnsafePointer<CChar>? = text
                    return H5Awrite(attribute, type, &pointer)
                case .fixedLength:
                    return bytes.isEmpty ? H5Awrite(attribute, type, [UInt8(0)]) : H5Awrite(attribute, type, bytes)
                }
            }
            guard status >= 0 else { throw TestHDF5Error(what: "write attribute \(name)") }
        }
        for (name, value) in integers {
            let attribute = H5Acreate2(file, name, klever_H5T_STD_I32LE(), space, klever_H5P_DEFAULT(), klever_H5P_DEFAULT())
            guard attribute >= 0 else { throw TestHDF5Error(what: "create attribute \(name)") }
            defer { H5Aclose(attribute) }
            var number = value
            guard H5Awrite(attribute, klever_H5T_STD_I32LE(), &number) >= 0 else { throw TestHDF5Error(what: "write attribute \(name)") }
        }
    }
}

struct TestHDF5Error: Error {
    let what: String
}
