import Foundation

/// PEM text for TLS: a file libcurl reads, or bytes held in memory (a kubeconfig's
/// `*-data` fields), which never touch the disk.
public enum PEMSource: Sendable, Hashable {
    case file(String)
    case data(Data)
}
