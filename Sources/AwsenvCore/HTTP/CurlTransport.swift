import CCurl
import CCurlShim

/// Sends requests with libcurl: one easy handle per call, HTTP/1.1, TLS always verified.
///
/// The request goes out with exactly the headers it carries (they were signed) plus what the
/// transport itself needs: Host and Content-Length, and User-Agent from the options. libcurl's
/// own additions (`Accept: */*`, `Expect: 100-continue`, a form Content-Type) are removed unless
/// the request sets them. The path and query are sent as given, without dot-segment cleanup.
///
/// Proxies come from the environment through libcurl's own rules: `http_proxy` (lowercase only;
/// libcurl ignores `HTTP_PROXY`), `https_proxy` / `HTTPS_PROXY`, `all_proxy` / `ALL_PROXY`, and
/// `no_proxy` / `NO_PROXY` for exceptions. Redirects are not followed; only http and https are
/// allowed, and the caller decides when plain http is acceptable.
///
/// libcurl.so.4 is loaded when the first request is sent, not linked: most commands send none
/// and should not pay for loading libcurl and OpenSSL at start-up. Without it, `send` throws.
public struct CurlTransport: HTTPTransport {
  /// A library checked before libcurl.so.4 is loaded; set only by tests, see `init(library:)`.
  private let library: String?

  public init() {
    library = nil
  }

  /// A transport that first opens `library` the way libcurl.so.4 is opened, and when that fails
  /// throws what a missing libcurl would throw. For testing that path: a library that loads
  /// changes nothing, requests still go through libcurl.so.4.
  init(library: String) {
    self.library = library
  }

  /// Starts loading libcurl on a thread of its own, for a command that knows it will send a
  /// request (`use --refresh`): the load (~3.5 ms) then overlaps the keyring lookup before the
  /// request instead of delaying it. Main thread only; pair with ``settle()`` before exiting.
  public static func preload() {
    awsenv_curl_preload()
  }

  /// Waits for a load started by ``preload()``, so that the process never exits while OpenSSL
  /// initialises on the other thread. Main thread only.
  public static func settle() {
    awsenv_curl_settle()
  }

  public func send(
    _ request: HTTPRequest, options: HTTPOptions
  ) throws(HTTPError) -> HTTPResponse {
    let host = request.host
    try Self.load(host: host, checking: library)
    guard let handle = awsenv_curl_easy_init() else {
      throw .other(host: host, detail: "libcurl could not create a handle")
    }
    defer { awsenv_curl_easy_cleanup(handle) }

    var headerList: UnsafeMutablePointer<curl_slist>? = nil
    defer { awsenv_curl_slist_free_all(headerList) }
    for line in try Self.headerLines(request, options: options) {
      guard let appended = awsenv_curl_slist_append(headerList, line) else {
        throw .other(host: host, detail: "out of memory")
      }
      headerList = appended
    }

    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    defer { errorBuffer.deallocate() }

    let transfer = Transfer(limit: options.maxResponseBytes)
    let context = Unmanaged.passUnretained(transfer).toOpaque()
    var setup = Setup(handle: handle)
    setup.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    setup.set(CURLOPT_NOSIGNAL, 1)
    setup.set(CURLOPT_VERBOSE, 0)
    setup.set(CURLOPT_URL, string: request.url)
    setup.set(CURLOPT_PROTOCOLS_STR, string: "http,https")
    setup.set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
    setup.set(CURLOPT_FOLLOWLOCATION, 0)
    // The signature covers the path as given; curl would otherwise remove "." and "..".
    setup.set(CURLOPT_PATH_AS_IS, 1)
    setup.set(CURLOPT_DISALLOW_USERNAME_IN_URL, 1)
    // One request per handle gains nothing from HTTP/2, and HTTP/1.1 keeps the wire format
    // (header names, Host) exactly what was signed.
    setup.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
    setup.set(CURLOPT_SSL_VERIFYPEER, 1)
    setup.set(CURLOPT_SSL_VERIFYHOST, 2)
    if let caBundle = options.caBundle {
      setup.set(CURLOPT_CAINFO, string: caBundle)
      // Trust the bundle instead of the system's certificates, not in addition to them.
      setup.set(CURLOPT_CAPATH, string: nil)
    }
    setup.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(options.connectTimeout))
    setup.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(options.totalTimeout))
    if options.lowSpeedBytes > 0, options.lowSpeedSeconds > 0 {
      setup.set(CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytes)
      setup.set(CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds)
    }
    if options.maxResponseBytes > 0 {
      // Refuses early when Content-Length is too big; the write callback catches the rest.
      setup.set(CURLOPT_MAXFILESIZE_LARGE, offset: curl_off_t(options.maxResponseBytes))
    }
    if !options.userAgent.isEmpty, request.header("User-Agent") == nil {
      setup.set(CURLOPT_USERAGENT, string: options.userAgent)
    }
    setup.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList))
    setup.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
    Self.setMethod(&setup, request)

    setup.set(CURLOPT_WRITEDATA, pointer: context)
    setup.set(CURLOPT_WRITEFUNCTION) { data, size, count, context in
      let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
      return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
    }
    setup.set(CURLOPT_HEADERDATA, pointer: context)
    setup.set(CURLOPT_HEADERFUNCTION) { data, size, count, context in
      let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
      return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    }
    if let (option, code) = setup.failure {
      throw .other(
        host: host, detail: "libcurl refused option \(option.rawValue): \(Self.describe(code))")
    }

    let code = withExtendedLifetime(transfer) { awsenv_curl_easy_perform(handle) }
    if code != CURLE_OK {
      let detail = trimmed(String(cString: errorBuffer))
      throw Self.error(
        code, detail: detail.isEmpty ? Self.describe(code) : detail, handle: handle,
        request: request, options: options, transfer: transfer)
    }
    var status = 0
    awsenv_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
  }

  /// Loads libcurl (once per process, in the shim), or throws why it cannot be used.
  private static func load(host: String, checking library: String?) throws(HTTPError) {
    if let library {
      var reason = [UInt8](repeating: 0, count: 512)
      let status = reason.withUnsafeMutableBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) {
          awsenv_curl_try_load(library, $0.baseAddress, $0.count)
        }
      }
      if status != AWSENV_CURL_READY {
        let text = String(decoding: reason.prefix { $0 != 0 }, as: UTF8.self)
        throw notLoaded(host: host, library: library, reason: text)
      }
    }
    var reason: UnsafePointer<CChar>? = nil
    let status = awsenv_curl_load(&reason)
    let detail = reason.map { String(cString: $0) } ?? "unknown error"
    switch status {
    case AWSENV_CURL_READY:
      return
    case AWSENV_CURL_INIT_FAILED:
      throw .unusable(host: host, detail: "libcurl did not initialise: \(detail)")
    default:
      throw notLoaded(host: host, library: AWSENV_CURL_SONAME, reason: detail)
    }
  }

  private static func notLoaded(host: String, library: String, reason: String) -> HTTPError {
    .unusable(
      host: host,
      detail: "\(library) could not be loaded (\(reason)); install libcurl4 "
        + "(Debian: apt-get install libcurl4)")
  }

  /// The CURLOPT_HTTPHEADER lines: the request's headers, then removals of what curl adds.
  private static func headerLines(
    _ request: HTTPRequest, options: HTTPOptions
  ) throws(HTTPError) -> [String] {
    var lines: [String] = []
    for header in request.headers {
      guard isToken(header.name) else {
        throw .unusable(host: request.host, detail: "refusing to send a malformed header name")
      }
      guard isFieldValue(header.value) else {
        throw .unusable(
          host: request.host, detail: "refusing to send header \(header.name): it has a line break")
      }
      let value = trimmed(header.value)
      // "Name:" would remove the header; "Name;" sends it with an empty value.
      lines.append(value.isEmpty ? header.name + ";" : header.name + ": " + value)
    }
    guard isFieldValue(options.userAgent) else {
      throw .unusable(host: request.host, detail: "refusing to send a User-Agent with a line break")
    }
    for name in ["Accept", "Expect", "Content-Type"] where request.header(name) == nil {
      lines.append(name + ":")
    }
    return lines
  }

  private static func setMethod(_ setup: inout Setup, _ request: HTTPRequest) {
    let method = request.method
    if method == "POST" || !request.body.isEmpty {
      let code = request.body.withUnsafeBytes { bytes in
        awsenv_curl_set_body(setup.handle, bytes.baseAddress, bytes.count)
      }
      setup.record(CURLOPT_COPYPOSTFIELDS, code)
      if method != "POST" {
        setup.set(CURLOPT_CUSTOMREQUEST, string: method)
      }
    } else if method == "GET" {
      setup.set(CURLOPT_HTTPGET, 1)
    } else if method == "HEAD" {
      setup.set(CURLOPT_NOBODY, 1)
    } else {
      setup.set(CURLOPT_CUSTOMREQUEST, string: method)
    }
  }

  private static func error(
    _ code: CURLcode, detail: String, handle: UnsafeMutableRawPointer, request: HTTPRequest,
    options: HTTPOptions, transfer: Transfer
  ) -> HTTPError {
    let host = request.host
    if transfer.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
      return .responseTooLarge(host: host, limit: options.maxResponseBytes)
    }
    var connectCode = 0
    awsenv_curl_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &connectCode)
    if connectCode != 0, !(200..<300).contains(connectCode) {
      return .proxy(detail: "the proxy answered CONNECT with HTTP \(connectCode)")
    }
    switch code {
    case CURLE_COULDNT_RESOLVE_HOST:
      return .resolve(host: host, detail: detail)
    case CURLE_COULDNT_CONNECT:
      return .connect(host: host, detail: detail)
    case CURLE_OPERATION_TIMEDOUT:
      var pretransfer: curl_off_t = 0
      awsenv_curl_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
      // The time actually spent: the total timeout, or less when the answer was too slow.
      var total: curl_off_t = 0
      awsenv_curl_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &total)
      let limit =
        pretransfer == 0
        ? min(options.connectTimeout, options.totalTimeout) : options.totalTimeout
      let shown = (limit * 10).rounded() / 10
      let seconds = total > 0 ? min(shown, (Double(total) / 100_000).rounded() / 10) : shown
      return .timedOut(host: host, seconds: seconds)
    case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
      return .proxy(detail: detail)
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ENGINE_NOTFOUND,
      CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
      CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED,
      CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
      CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
      return .tls(host: host, detail: detail)
    default:
      return .other(host: host, detail: detail)
    }
  }

  private static func describe(_ code: CURLcode) -> String {
    String(cString: awsenv_curl_easy_strerror(code))
  }

  /// Seconds as libcurl's milliseconds, at least 1 (0 would mean "no timeout").
  private static func milliseconds(_ seconds: Double) -> Int {
    guard seconds.isFinite, seconds > 0 else { return 1 }
    return Int(min(max(seconds * 1000, 1), Double(Int32.max)))
  }

  /// RFC 9110 token characters: what a header name may contain.
  private static func isToken(_ name: String) -> Bool {
    !name.isEmpty
      && name.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
          UInt8(ascii: "0")...UInt8(ascii: "9"):
          return true
        default:
          return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
      }
  }

  /// A value that cannot end the header line early: no CR, LF or NUL.
  private static func isFieldValue(_ value: String) -> Bool {
    !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
  }
}

/// Sets options on one easy handle, keeping the first failure.
private struct Setup {
  let handle: UnsafeMutableRawPointer
  private(set) var failure: (CURLoption, CURLcode)?

  init(handle: UnsafeMutableRawPointer) {
    self.handle = handle
  }

  mutating func record(_ option: CURLoption, _ code: CURLcode) {
    if code != CURLE_OK, failure == nil {
      failure = (option, code)
    }
  }

  mutating func set(_ option: CURLoption, _ value: Int) {
    record(option, awsenv_curl_setopt_long(handle, option, value))
  }

  mutating func set(_ option: CURLoption, offset value: curl_off_t) {
    record(option, awsenv_curl_setopt_off_t(handle, option, value))
  }

  mutating func set(_ option: CURLoption, string value: String?) {
    guard let value else {
      record(option, awsenv_curl_setopt_string(handle, option, nil))
      return
    }
    record(option, awsenv_curl_setopt_string(handle, option, value))
  }

  mutating func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) {
    record(option, awsenv_curl_setopt_pointer(handle, option, value))
  }

  mutating func set(_ option: CURLoption, callback: awsenv_curl_data_callback) {
    record(option, awsenv_curl_setopt_callback(handle, option, callback))
  }
}

/// What one transfer has received so far; reached from libcurl's callbacks.
private final class Transfer {
  let limit: Int
  var body: [UInt8] = []
  var headers: [HTTPHeader] = []
  var tooLarge = false

  init(limit: Int) {
    self.limit = limit
  }

  /// Returns how many bytes were taken; fewer than offered makes libcurl abort the transfer.
  func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard body.count + bytes.count <= limit else {
      tooLarge = true
      return 0
    }
    body.append(contentsOf: bytes)
    return bytes.count
  }

  /// One header line, CRLF included. A status line starts a new header block, so only the
  /// final response's headers remain after interim (1xx) responses.
  func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
    let line = String(decoding: bytes, as: UTF8.self)
    if line.hasPrefix("HTTP/") {
      headers.removeAll()
    } else if line.hasPrefix(" ") || line.hasPrefix("\t") {
      // An obsolete folded continuation of the previous header.
      let more = trimmed(line)
      if !headers.isEmpty, !more.isEmpty {
        headers[headers.count - 1].value += " " + more
      }
    } else if let colon = line.firstIndex(of: ":") {
      let name = String(line[..<colon])
      let value = trimmed(line[line.index(after: colon)...])
      headers.append(HTTPHeader(name, value))
    }
    return bytes.count
  }
}

/// `text` without leading and trailing spaces, tabs, CR and LF.
private func trimmed(_ text: some StringProtocol) -> String {
  let bytes = Array(text.utf8)
  let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
  guard let first = bytes.firstIndex(where: { !isSpace($0) }),
    let last = bytes.lastIndex(where: { !isSpace($0) })
  else { return "" }
  return String(decoding: bytes[first...last], as: UTF8.self)
}
