import Foundation
import Logging
import ModelPackage

/// One conversion from a source format to a target format.
protocol ModelConversion: Sendable {
    static var source: Format { get }
    static var target: Format { get }

    /// Writes the target model's files into `folder` (an empty temporary folder that
    /// becomes the new package's `model/`). `inputs` are the source's input tensors as
    /// the user gave them (names, shapes, dtypes). Must check the whole model first
    /// and throw one error naming every unsupported layer before writing anything.
    /// - Returns: the converted model's inputs (names, shapes, dtypes), for its ormbfile.
    static func convert(_ files: ModelFiles, inputs: [TensorSpec], into folder: URL, logger: Logger) throws -> [TensorSpec]
}
