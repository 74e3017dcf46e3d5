import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw loopback TCP server for what `HTTPServer` does not do on purpose. It reads each connection's request head,
/// then treats the connection as `behaviours` says (in order; the last one for every connection after). Connections
/// are served on the server's own thread, one at a time.
final class RawServer: Sendable {
    enum Behaviour: Sendable {
        /// Reset the connection (RST, no answer).
        case reset
        /// Write a whole HTTP/1.1 response and close.
        case answer(String)
        /// Write these bytes (part of an answer), then reset the connection.
        case partial(String)
        /// Answer nothing and wait (up to 10 seconds) for the client to close the connection; counted in
        /// ``closedByClient`` when it does.
        case silence
    }

    let port: Int
    private let listener: Int32
    private let accepted = Counter()
    private let closed = Counter()

    init(_ behaviours: [Behaviour]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw LoopbackError(description: "bind or listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let (accepted, closed) = (accepted, closed)
        Thread { Self.serve(listener: fd, behaviours: behaviours, accepted: accepted, closed: closed) }.start()
    }

    /// A server that resets the first `resets` connections and then answers `answer`.
    convenience init(resets: Int, answer: String) throws {
        try self.init(Array(repeating: .reset, count: resets) + [.answer(answer)])
    }

    /// Connections accepted so far.
    var connectionCount: Int { accepted.value }

    /// Silent connections the client closed.
    var closedByClient: Int { closed.value }

    /// Stops accepting: the accept loop ends when the listening socket is shut down.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(listener: Int32, behaviours: [Behaviour], accepted: Counter, closed: Counter) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let number = accepted.increment()
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            readHead(client)
            switch behaviours[min(number, behaviours.count) - 1] {
            case .reset:
                // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                var option = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
            case .answer(let text):
                write(text, to: client)
                shutdown(client, Int32(SHUT_WR))
            case .partial(let text):
                write(text, to: client)
                var option = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
            case .silence:
                var byte: UInt8 = 0
                if read(client, &byte, 1) == 0 { closed.increment() }
            }
            close(client)
        }
    }

    private static func write(_ text: String, to client: Int32) {
        let reply = Array(text.utf8)
        var offset = 0
        while offset < reply.count {
            let sent = reply.withUnsafeBytes { send(client, $0.baseAddress! + offset, reply.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
        }
    }

    /// Reads until the blank line that ends a request head (or the peer stops sending).
    private static func readHead(_ fd: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = [13, 10, 13, 10]
        while received.count < 4 || !(0...(received.count - 4)).contains(where: { received[$0..<$0 + 4].elementsEqual(end) }) {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            received += buffer[0..<count]
        }
    }
}

/// A count shared between threads.
final class Counter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    /// Adds one and returns the new count.
    @discardableResult
    func increment() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
