import AutoGitCore
import AutoGitHTTP
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Forwards one API request to a model server on 127.0.0.1 over HTTP/1.1 and returns its answer as it came.
///
/// The request keeps its method, path and query, body and end-to-end headers; hop-by-hop headers and AutoGit's own
/// credentials (`X-API-Key`, and `Authorization` unless an `X-API-Key` was sent beside it) are dropped, and
/// `X-Forwarded-For`/`X-Forwarded-Host` are added. One connection per request (`Connection: close`). An answer
/// whose `Content-Length` is at most ``bufferLimit`` is read whole; anything else (chunked, `text/event-stream`,
/// large or unknown length) streams back chunk by chunk with a small bounded buffer, so a slow client slows the
/// read from the model server instead of filling memory.
struct InstanceProxyClient: Sendable {
    /// Time allowed to connect and to receive the answer's head, and the longest silence while its body streams.
    var timeout: Duration
    var bufferLimit: Int

    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// Sends `request` to `http://127.0.0.1:<port>/<path>` (with the request's query). `onFinish` runs exactly once,
    /// when the answer has been passed on or abandoned: the caller's in-flight count.
    func forward(
        _ request: HTTPRequest, path: String, port: Int, instance: String, onFinish: @escaping @Sendable () -> Void
    ) async throws(ServerError) -> HTTPResponse {
        let head = Self.requestHead(request, path: path, port: port)
        let timeout = timeout
        let opening = await BlockingCall.run("autogit-proxy-open") {
            Self.open(port: port, bytes: head + request.body, timeout: timeout)
        }
        guard case .opened(let connection, let answer, let leftover) = opening else {
            onFinish()
            if case .failed(let message) = opening { throw InstanceErrors.unavailable(instance, "Instance '\(instance)' \(message)") }
            throw InstanceErrors.unavailable(instance, "Instance '\(instance)' did not answer")
        }
        var headers = HTTPHeaders()
        let dropped = Self.hopByHop.union(answer.headers.tokens(for: "Connection")).union(["content-length"])
        for (name, value) in answer.headers where !dropped.contains(name.lowercased()) { headers.add(name: name, value: value) }
        let status = HTTPStatus(code: answer.status, reasonPhrase: answer.reason.isEmpty ? nil : answer.reason)
        let framing = Self.framing(of: answer, method: request.method)

        if case .none = framing {
            connection.close()
            onFinish()
            return HTTPResponse(status: status, headers: headers, body: .bytes([]))
        }
        if case .length(let length) = framing, length <= bufferLimit {
            let body = await BlockingCall.run("autogit-proxy-read") { () -> [UInt8]? in
                defer { connection.close() }
                return Self.readExactly(connection, length: length, leftover: leftover)
            }
            onFinish()
            guard let body else { throw InstanceErrors.unavailable(instance, "Instance '\(instance)' ended its answer early") }
            return HTTPResponse(status: status, headers: headers, body: .bytes(body))
        }
        let body = Body.start(connection: connection, framing: framing, leftover: leftover, onFinish: onFinish)
        return HTTPResponse(status: status, headers: headers, body: .stream(ResponseStream(body)))
    }

    // MARK: The request

    static func requestHead(_ request: HTTPRequest, path: String, port: Int) -> [UInt8] {
        var target = "/" + path.drop { $0 == "/" }
        if let query = request.query { target += "?" + query }
        var dropped = hopByHop.union(request.headers.tokens(for: "Connection"))
        dropped.formUnion(["host", "content-length", "expect", "x-api-key", "x-forwarded-for", "x-forwarded-host"])
        if !request.headers.contains("X-API-Key") { dropped.insert("authorization") }
        var head = "\(request.method.rawValue) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in request.headers where !dropped.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        var forwardedFor = request.headers.values(for: "X-Forwarded-For")
        if let address = request.remoteAddress.map(clientAddress) { forwardedFor.append(address) }
        if !forwardedFor.isEmpty { head += "X-Forwarded-For: \(forwardedFor.joined(separator: ", "))\r\n" }
        if let host = request.headers["Host"] { head += "X-Forwarded-Host: \(host)\r\n" }
        if !request.body.isEmpty || [.post, .put, .patch].contains(request.method) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8)
    }

    /// `1.2.3.4:5678` → `1.2.3.4`, `[::1]:5678` → `::1`.
    private static func clientAddress(_ address: String) -> String {
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        if let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon {
            return String(address[..<colon])
        }
        return address
    }

    // MARK: The answer

    struct Head: Sendable {
        var status: Int
        var reason: String
        var headers: HTTPHeaders
    }

    enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    private enum Opening: Sendable {
        case opened(UpstreamConnection, Head, leftover: [UInt8])
        case failed(String)
    }

    static func framing(of head: Head, method: HTTPMethod) -> Framing {
        if method == .head || head.status < 200 || head.status == 204 || head.status == 304 { return .none }
        if head.headers.tokens(for: "Transfer-Encoding").contains("chunked") { return .chunked }
        if let text = head.headers["Content-Length"], let length = Int(text.trimmingCharacters(in: .whitespaces)), length >= 0 {
            return length == 0 ? .none : .length(length)
        }
        return .untilClose
    }

    private static func open(port: Int, bytes: [UInt8], timeout: Duration) -> Opening {
        guard let descriptor = LoopbackSocket.open(port: port, timeout: timeout) else {
            return .failed("does not accept connections on port \(port)")
        }
        let connection = UpstreamConnection(descriptor: descriptor)
        guard LoopbackSocket.sendAll(descriptor, bytes) else {
            connection.close()
            return .failed("closed the connection before taking the request")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let (head, bodyStart) = parseHead(received) {
                // Interim answers (100 Continue, 103 Early Hints) precede the real one.
                if head.status >= 100 && head.status < 200 && head.status != 101 {
                    received = Array(received[bodyStart...])
                    continue
                }
                return .opened(connection, head, leftover: Array(received[bodyStart...]))
            }
            guard received.count < 65_536 else {
                connection.close()
                return .failed("sent an answer head that is too large")
            }
            let count = InstanceSyscalls.read(descriptor, into: &buffer)
            if count <= 0 {
                connection.close()
                return .failed(count == 0 ? "closed the connection without answering" : "did not answer in time")
            }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// The head and the index where the body starts, once `bytes` holds a complete head.
    static func parseHead(_ bytes: [UInt8]) -> (Head, Int)? {
        guard bytes.count >= 4 else { return nil }
        var end: Int?
        for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A {
            end = index + 1
            break
        }
        guard let end else { return nil }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return nil }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { headers.add(name: name, value: value) }
        }
        return (Head(status: status, reason: statusLine.count > 2 ? String(statusLine[2]) : "", headers: headers), end)
    }

    private static func readExactly(_ connection: UpstreamConnection, length: Int, leftover: [UInt8]) -> [UInt8]? {
        var body = Array(leftover.prefix(length))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while body.count < length {
            let count = InstanceSyscalls.read(connection.descriptor, into: &buffer)
            if count <= 0 { return nil }
            body.append(contentsOf: buffer[0..<min(count, length - body.count)])
        }
        return body
    }
}

/// A socket to a model server that a reading thread owns and another may interrupt.
final class UpstreamConnection: Sendable {
    let descriptor: Int32
    private let isClosed = Mutex(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Makes a blocked read return at once (the client went away).
    func interrupt() {
        isClosed.withLock { closed in
            if !closed { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    func close() {
        isClosed.withLock { closed in
            if !closed { InstanceSyscalls.close(descriptor) }
            closed = true
        }
    }
}
