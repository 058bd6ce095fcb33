import CCurl
import Foundation

/// HTTP over libcurl: one easy handle, reused so connections are kept alive.
///
/// Redirects are not followed here: the registry client follows them itself so that
/// it can drop the `Authorization` header when a redirect leaves the registry.
public final class CurlTransport: HTTPTransport {
    /// TLS and timeout settings.
    public struct Options: Sendable {
        /// Accept any TLS certificate (`--insecure`).
        public var insecure = false
        public var connectTimeoutSeconds = 30
        /// A transfer that moves no byte for this long counts as a cut connection.
        public var stallTimeoutSeconds = 60
        /// The CA bundle that signed the server's certificate; nil trusts the system's.
        public var certificateAuthority: PEMSource?
        /// A client certificate and its key, for servers that authenticate clients by TLS.
        public var clientCertificate: PEMSource?
        public var clientKey: PEMSource?

        public init(insecure: Bool = false) { self.insecure = insecure }
    }

    private static let globalInit: CURLcode = curl_global_init(klever_curl_global_all)
    private static let bufferSize = 1 << 20
    private let handle: UnsafeMutableRawPointer
    private let options: Options

    public init(options: Options = Options()) throws(TransportError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw .failed("libcurl could not be initialised")
        }
        self.handle = handle
        self.options = options
    }

    deinit { curl_easy_cleanup(handle) }

    public func perform(_ request: HTTPRequest, sink: ResponseSink) throws(TransportError) -> HTTPResponseHead {
        let exchange: Exchange
        do {
            exchange = try Exchange(sink: sink, body: request.body)
        } catch {
            throw .failed("cannot read \(request.body): \(error)")
        }
        let context = Unmanaged.passRetained(exchange).toOpaque()
        defer { Unmanaged<Exchange>.fromOpaque(context).release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer[0] = 0

        curl_easy_reset(handle)
        klever_curl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        klever_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        klever_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        klever_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        klever_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        klever_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.stallTimeoutSeconds)
        klever_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.bufferSize)
        klever_curl_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, Self.bufferSize)
        klever_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if options.insecure {
            klever_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            klever_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        set(options.certificateAuthority, file: CURLOPT_CAINFO, blob: CURLOPT_CAINFO_BLOB)
        set(options.clientCertificate, file: CURLOPT_SSLCERT, blob: CURLOPT_SSLCERT_BLOB)
        set(options.clientKey, file: CURLOPT_SSLKEY, blob: CURLOPT_SSLKEY_BLOB)
        // The progress callback runs about once a second even on an idle connection:
        // it is how a sink that is no longer wanted stops a long-lived stream.
        klever_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        klever_curl_setopt_xferinfo(handle, Exchange.progress)
        klever_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)

        switch request.method {
        case "HEAD":
            klever_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "GET" where request.body == .none:
            klever_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        default:
            // Every other method sends a body (possibly empty) through the read callback,
            // so that its Content-Length is always exact.
            klever_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            klever_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            klever_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.length))
            klever_curl_setopt_callback(handle, CURLOPT_READFUNCTION, Exchange.read)
            klever_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        }

        var fields = request.headers.fields.map { "\($0.name): \($0.value)" }
        // No `Expect: 100-continue` round trip before each upload.
        fields.append("Expect:")
        if request.headers["User-Agent"] == nil { fields.append("User-Agent: klever") }
        for field in fields { headerList = curl_slist_append(headerList, field) }
        klever_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        klever_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, Exchange.header)
        klever_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        klever_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, Exchange.write)
        klever_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)

        let code = curl_easy_perform(handle)
        if exchange.aborted { throw .aborted }
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OK:
            guard let head = exchange.head else { throw .connection("no response") }
            return head
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT,
             CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
            throw .connection(message)
        default:
            throw .failed(message)
        }
    }

    /// Sets a PEM option from a file or from memory.
    private func set(_ source: PEMSource?, file: CURLoption, blob: CURLoption) {
        switch source {
        case .file(let path): klever_curl_setopt_string(handle, file, path)
        case .data(let data): data.withUnsafeBytes { _ = klever_curl_setopt_blob(handle, blob, $0.baseAddress, $0.count) }
        case nil: break
        }
    }
}

/// The state of one exchange, reached from libcurl's callbacks through their context pointer.
private final class Exchange {
    let sink: ResponseSink
    private let upload: UploadSource?
    private var status = 0
    private var headers = HTTPHeaders()
    private(set) var head: HTTPResponseHead?
    private(set) var aborted = false

    init(sink: ResponseSink, body: RequestBody) throws {
        self.sink = sink
        switch body {
        case .none: upload = nil
        case .data(let data): upload = UploadSource(data: data)
        case .file(let url, let offset, let length): upload = try UploadSource(file: url, offset: offset, length: length)
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> Exchange {
        Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
    }

    static let header: klever_curl_data_callback = { buffer, size, count, context in
        let exchange = from(context)
        let length = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        exchange.headerLine(line.trimmingCharacters(in: .whitespacesAndNewlines))
        return exchange.aborted ? 0 : length
    }

    static let write: klever_curl_data_callback = { buffer, size, count, context in
        let exchange = from(context)
        let length = size * count
        guard exchange.head != nil, exchange.sink.receive(body: UnsafeRawBufferPointer(start: buffer, count: length)) else {
            exchange.aborted = true
            return 0
        }
        return length
    }

    static let progress: klever_curl_xferinfo_callback = { context, _, _, _, _ in
        let exchange = from(context)
        guard exchange.sink.isCancelled else { return 0 }
        exchange.aborted = true
        return 1
    }

    static let read: klever_curl_data_callback = { buffer, size, count, context in
        let exchange = from(context)
        guard let upload = exchange.upload, let buffer else { return 0 }
        guard let sent = upload.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) else {
            return klever_curl_readfunc_abort
        }
        exchange.sink.sent(bodyBytes: sent)
        return sent
    }

    private func headerLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            // A new status line (after a 100 Continue, say) starts a new head.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if line.isEmpty {
            guard status >= 200 else { return }
            let head = HTTPResponseHead(status: status, headers: headers)
            self.head = head
            if !sink.receive(head: head) { aborted = true }
        } else if let colon = line.firstIndex(of: ":") {
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}

/// A request body handed to libcurl piece by piece: bytes in memory or a file range.
private final class UploadSource {
    private let data: Data?
    private let fd: Int32
    private var position: Int64
    private var remaining: Int64

    init(data: Data) {
        self.data = data
        fd = -1
        position = 0
        remaining = Int64(data.count)
    }

    init(file: URL, offset: Int64, length: Int64) throws {
        data = nil
        fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        position = offset
        remaining = length
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Fills `buffer`; returns the count (0 at the end), nil on a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let wanted = Int(min(Int64(buffer.count), remaining))
        guard wanted > 0 else { return 0 }
        var count = 0
        if let data {
            let start = data.startIndex + Int(position)
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self).baseAddress!, from: start..<(start + wanted))
            count = wanted
        } else {
            repeat { count = pread(fd, buffer.baseAddress, wanted, off_t(position)) } while count < 0 && errno == EINTR
            // A file that shrank under us must not be sent short: curl would hang waiting.
            guard count > 0 else { return nil }
        }
        position += Int64(count)
        remaining -= Int64(count)
        return count
    }
}
