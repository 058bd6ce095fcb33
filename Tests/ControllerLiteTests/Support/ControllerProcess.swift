import Foundation
import TestSupport

/// `klever controller` as a process of its own, against the stand-in: what a cluster
/// runs, and what the bench measures.
final class ControllerProcess: @unchecked Sendable {
    let port: Int
    private let process: Process
    let log: URL

    init(kubeconfig: URL, folder: URL, arguments: [String] = []) throws {
        port = try Self.freePort()
        log = folder.appendingPathComponent("controller.log")
        try Data().write(to: log)
        process = Process()
        process.executableURL = KleverProcess.binary
        process.arguments = ["controller", "--kubeconfig", kubeconfig.path, "--listen", "127.0.0.1:\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "KLEVER_LOG_LEVEL": "warning", "KLEVER_IMAGE": "ghcr.io/kleveross/klever:test", "SERVER_ORMB_DOMAIN": "harbor.example.com",
            "SERVER_ORMB_SECRET": "ormb-credentials",
        ]) { $1 }
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Waits until `/healthz` says the caches are filled.
    func waitUntilReady(within seconds: Double = 30) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, process.isRunning {
            if let answer = try? await HTTPProbe.send("GET", url("/healthz")), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StandInError("the controller did not get ready: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// The peak resident memory so far, in MiB (the kernel's high-water mark).
    var peakRSS: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kib / 1024
    }

    /// SIGTERM, as the kubelet stops a pod; returns the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        return try await HTTPProbe.blocking { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw StandInError("no socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw StandInError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
