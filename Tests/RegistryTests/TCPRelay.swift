import Foundation

/// A loopback TCP relay in front of a server that cuts one response short: once a
/// request whose text contains `trigger` goes through, the connection carrying it is
/// closed after `cutAfter` bytes of the answer. Records every request head it forwards.
final class TCPRelay: @unchecked Sendable {
    let port: UInt16
    private let targetPort: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var trigger: String?
    private let cutAfter: Int
    private var seen: [String] = []

    init(toPort targetPort: UInt16, cutting trigger: String?, after cutAfter: Int) throws {
        self.targetPort = targetPort
        self.trigger = trigger
        self.cutAfter = cutAfter
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { close() }

    /// The request heads that went through, in order.
    var requests: [String] { lock.withLock { seen } }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else {
                Glibc.close(client)
                Glibc.close(server)
                continue
            }
            let connection = Connection(client: client, server: server)
            Thread.detachNewThread { [self] in pumpRequests(connection) }
            Thread.detachNewThread { [self] in pumpResponses(connection) }
        }
    }

    /// Client to server: note each request; arm the cut on the triggering one.
    private func pumpRequests(_ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(connection.client, &buffer, buffer.count)
            guard count > 0 else { break }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            lock.withLock {
                if text.hasPrefix("GET ") || text.hasPrefix("HEAD ") || text.hasPrefix("PUT ") || text.hasPrefix("POST ") || text.hasPrefix("PATCH ") {
                    seen.append(text.components(separatedBy: "\r\n\r\n")[0])
                }
                if let trigger, text.contains(trigger) {
                    self.trigger = nil
                    connection.budget = cutAfter
                }
            }
            guard write(connection.server, buffer, count) == count else { break }
        }
        connection.pumpDone()
    }

    /// Server to client: forward, until an armed connection's budget runs out.
    private func pumpResponses(_ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(connection.server, &buffer, buffer.count)
            guard count > 0 else { break }
            let allowed = lock.withLock { connection.budget.map { min($0, count) } ?? count }
            if allowed > 0, write(connection.client, buffer, allowed) != allowed { break }
            let exhausted = lock.withLock {
                guard let budget = connection.budget else { return false }
                connection.budget = budget - allowed
                return budget - allowed <= 0
            }
            if exhausted { break }
        }
        connection.pumpDone()
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private final class Connection: @unchecked Sendable {
        let client: Int32
        let server: Int32
        /// Bytes of answer still allowed through, once the cut is armed.
        var budget: Int?
        private let closing = NSLock()
        private var pumpsDone = 0

        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }

        /// A pump stopped: the first shuts both sockets down (waking the other pump),
        /// the second closes them, so no pump reads a descriptor number reused elsewhere.
        func pumpDone() {
            closing.withLock {
                pumpsDone += 1
                shutdown(client, Int32(SHUT_RDWR))
                shutdown(server, Int32(SHUT_RDWR))
                if pumpsDone == 2 {
                    Glibc.close(client)
                    Glibc.close(server)
                }
            }
        }
    }
}
