import Foundation
import ModelPackage
import Testing

/// The fixture corpus: `fixtures/index.json` and the packages it lists.
public enum Fixtures {
    /// The repository root (found from this file's path, so tests run from anywhere).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static let root = repositoryRoot.appendingPathComponent("fixtures")

    /// `../shared/upstream-fixtures`, the original system's test packages.
    public static let upstreamRoot = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/upstream-fixtures")

    /// One row of `fixtures/index.json`.
    public struct Case: Decodable, Sendable, CustomTestStringConvertible {
        public struct ExpectedError: Decodable, Sendable {
            public let exitCode: Int32
            /// The path (relative to the package) the error line must name.
            public let file: String
            /// Words the message must contain.
            public let contains: String?
        }

        public let `case`: String
        public let format: String
        public let exercises: String
        /// Path of the golden `expected.json`, relative to the repository root.
        public let expect: String?
        public let error: ExpectedError?
        /// Where the package lives when not at `fixtures/<case>` (upstream packages).
        public let package: String?

        public var testDescription: String { self.case }

        /// The package folder this case reads.
        public var packageURL: URL {
            if let package { return repositoryRoot.appendingPathComponent(package).standardizedFileURL }
            return root.appendingPathComponent(self.case)
        }

        public var expectedURL: URL? { expect.map { repositoryRoot.appendingPathComponent($0) } }
    }

    public static let index: [Case] = {
        do {
            let data = try Data(contentsOf: root.appendingPathComponent("index.json"))
            return try JSONDecoder().decode([Case].self, from: data)
        } catch {
            fatalError("fixtures/index.json: \(error)")
        }
    }()

    /// The cases of the given formats (ormbfile format names).
    public static func cases(_ formats: [Format]) -> [Case] {
        let names = Set(formats.map(\.rawValue))
        return index.filter { names.contains($0.format) }
    }
}
