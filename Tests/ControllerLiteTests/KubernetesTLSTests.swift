import ControllerLite
import CurlHTTP
import Foundation
import Testing
import TestSupport

/// TLS as clusters use it: the server's certificate checked against the cluster's CA, the
/// client known by its certificate (kubeconfig `client-certificate-data`), from memory or
/// from files. The server is Python's, asking for a client certificate.
@Suite struct KubernetesTLSTests {
    private static let server = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        context.load_verify_locations(sys.argv[3])
        context.verify_mode = ssl.CERT_REQUIRED
        httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        print(httpd.server_address[1], flush=True)
        httpd.serve_forever()
        """

    /// A CA, a server certificate for 127.0.0.1 and a client certificate, by the openssl CLI.
    private static func certificates(in folder: TemporaryDirectory) throws {
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        func run(_ arguments: [String]) throws {
            let result = try ChildProcess.run(openssl, arguments)
            guard result.status == 0 else { throw StandInError("openssl \(arguments.first ?? ""): \(result.stderr)") }
        }
        let path = { (name: String) in folder.url.appendingPathComponent(name).path }
        try folder.write("server.ext", "subjectAltName=IP:127.0.0.1\n")
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca", "-keyout", path("ca.key"), "-out", path("ca.crt")])
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=klever-controller/O=system:masters")] {
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
            try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "1",
                     "-out", path("\(name).crt")] + (name == "server" ? ["-extfile", path("server.ext")] : []))
        }
    }

    @Test func clientCertificatesFromMemoryOrFilesAndTheClustersCA() async throws {
        let folder = try TemporaryDirectory()
        try await HTTPProbe.blocking { try Self.certificates(in: folder) }
        let file = { (name: String) in folder.url.appendingPathComponent(name).path }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", Self.server, file("server.crt"), file("server.key"), file("ca.crt")]
        let output = Pipe()
        server.standardOutput = output
        // Not the test's own output: `swift test` waits for every holder of it to go.
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let port = try await HTTPProbe.blocking {
            String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let url = try #require(URL(string: "https://127.0.0.1:\(port)"))
        func list(_ authentication: ClusterConfig.Authentication, ca: PEMSource?) async throws -> String {
            let config = ClusterConfig(server: url, authentication: authentication, certificateAuthority: ca)
            return try await KubernetesClient(config: config, logger: ControllerHarness.logger).list(Pod.self).resourceVersion
        }
        let data = { (name: String) in PEMSource.data(try Data(contentsOf: URL(fileURLWithPath: file(name)))) }

        #expect(try await list(.clientCertificate(certificate: data("client.crt"), key: data("client.key")), ca: data("ca.crt")) == "7")
        #expect(try await list(.clientCertificate(certificate: .file(file("client.crt")), key: .file(file("client.key"))), ca: .file(file("ca.crt"))) == "7")
        // No client certificate: the server hangs up. The system's CAs: the server is unknown.
        await #expect(throws: KubernetesError.self) { try await list(.none, ca: data("ca.crt")) }
        await #expect(throws: KubernetesError.self) {
            try await list(.clientCertificate(certificate: data("client.crt"), key: data("client.key")), ca: nil)
        }
    }
}
