import Dispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A parsed response as a test sees it.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking loopback TCP client for tests. Each call runs on the client's own dispatch queue, so waiting on the
/// socket never ties up a thread of the Swift concurrency pool.
final class RawClient: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let queue = DispatchQueue(label: "raw-client")

    /// Connects to `host:port` (`127.0.0.1` or `::1`) with a receive timeout that bounds every read.
    init(host: String = "127.0.0.1", port: Int, timeout: Double = 5) throws {
        let isIPv6 = host.contains(":")
        // Close-on-exec, so a child another test spawns meanwhile does not inherit (and hold open) this connection.
        fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(description: "socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            close(fd)
            throw RawClientError(description: "connect failed: errno \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await onQueue { try self.sendNow(bytes) }
    }

    private func sendNow(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { throw RawClientError(description: "send failed: errno \(errno)") }
            offset += count
        }
    }

    /// Shuts down our sending side (a half-close): the server sees end of input but can still answer.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes immediately.
    func closeNow() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads more bytes into the buffer; false at end of stream. Throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count == 0 { return false }
        if errno == ECONNRESET { return false }
        throw RawClientError(description: "read failed or timed out: errno \(errno)")
    }

    /// Reads one response (an interim 1xx response counts as one). `head` means the request was HEAD: no body.
    func readResponse(head: Bool = false) async throws -> RawResponse {
        try await onQueue { try self.readResponseNow(head: head) }
    }

    /// Reads only a response head, leaving the body to `readChunk()` (for streamed responses).
    func readHeadOnly() async throws -> RawResponse {
        try await onQueue { try self.readResponseNow(head: true) }
    }

    /// Reads one chunk of a chunked body; nil for the last (zero-size) chunk.
    func readChunk() async throws -> [UInt8]? {
        try await onQueue {
            let line = try self.readLine()
            guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else {
                throw RawClientError(description: "bad chunk size \(line)")
            }
            if size == 0 {
                while try !self.readLine().isEmpty {}
                return nil
            }
            while self.buffer.count < size + 2 {
                guard try self.fill() else { throw RawClientError(description: "closed mid-chunk") }
            }
            let chunk = Array(self.buffer[0..<size])
            self.buffer.removeFirst(size + 2)
            return chunk
        }
    }

    private func readResponseNow(head: Bool) throws -> RawResponse {
        var end: Int?
        while true {
            if let range = findHeadEnd() {
                end = range
                break
            }
            guard try fill() else { throw RawClientError(description: "connection closed before a response head") }
        }
        let headBytes = buffer[0..<end!]
        buffer.removeFirst(end! + 4)
        let lines = String(decoding: headBytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RawClientError(description: "bad status line: \(lines[0])")
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if status < 200 || status == 204 || status == 304 || head { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length {
                guard try fill() else { throw RawClientError(description: "closed mid-body") }
            }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                let line = try readLine()
                guard let size = Int(line.split(separator: ";")[0], radix: 16) else {
                    throw RawClientError(description: "bad chunk size \(line)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                while buffer.count < size + 2 {
                    guard try fill() else { throw RawClientError(description: "closed mid-chunk") }
                }
                response.body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
            }
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 10) {
                var line = Array(buffer[0..<index])
                buffer.removeFirst(index + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { throw RawClientError(description: "closed mid-line") }
        }
    }

    /// Reads one CRLF-terminated line of a chunked stream's framing or payload (for stream tests).
    func readRawLine() async throws -> String {
        try await onQueue { try self.readLine() }
    }

    /// Reads at least `count` more bytes or until closed.
    func readBytes(_ count: Int) async throws -> [UInt8] {
        try await onQueue {
            while self.buffer.count < count {
                guard try self.fill() else { break }
            }
            let taken = Array(self.buffer.prefix(count))
            self.buffer.removeFirst(taken.count)
            return taken
        }
    }

    /// Everything until the server closes (throws on timeout).
    func readToEnd() async throws -> [UInt8] {
        try await onQueue {
            while try self.fill() {}
            let all = self.buffer
            self.buffer = []
            return all
        }
    }

    /// Whether the server has closed the connection (end of stream or reset) within the read timeout;
    /// any bytes before that are returned.
    func waitForClose() async throws -> (closed: Bool, bytes: [UInt8]) {
        try await onQueue {
            do {
                while try self.fill() {}
                let bytes = self.buffer
                self.buffer = []
                return (true, bytes)
            } catch {
                return (false, self.buffer)
            }
        }
    }
}
