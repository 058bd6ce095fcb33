import ModelPackage

/// A reader of one model format: finds the model's signature in its files.
protocol FormatReader {
    static var format: Format { get }

    /// The model's signature. `user` is the signature already in the ormbfile, which
    /// some formats take input shapes from (DESIGN: "A signature the user wrote is input").
    static func signature(of files: ModelFiles, given user: Signature?) throws -> Signature
}
