#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a socket operation of ``SocketTransport`` failed, before it becomes a `URLError` at the transport's edge.
enum SocketFailure: Error, Sendable {
    /// The host name did not resolve.
    case unknownHost(String)
    /// No address of the host accepted a connection; `errno` of the last attempt.
    case cannotConnect(Int32)
    /// Nothing happened for longer than the allowed time.
    case timedOut
    /// The connection broke or closed before the exchange was complete; `errno`, or 0 for an early close.
    case lost(Int32)
    /// The server's answer is not HTTP/1.x as we read it.
    case malformed(String)
    /// The exchange was cancelled.
    case cancelled
}

/// A resolved address to connect to.
struct SocketAddress: Sendable {
    var storage: sockaddr_storage
    var length: socklen_t
    var family: Int32

    /// The numeric address of `host` when it is an IPv4 or IPv6 literal, so no resolver is involved.
    init?(numericHost host: String, port: UInt16) {
        var storage = sockaddr_storage()
        if host.contains(":") {
            var address = sockaddr_in6()
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in6>.size), family: AF_INET6)
        } else {
            var address = sockaddr_in()
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size), family: AF_INET)
        }
    }

    init(storage: sockaddr_storage, length: socklen_t, family: Int32) {
        self.storage = storage
        self.length = length
        self.family = family
    }

    /// The addresses of `host` (a name or a literal) for TCP, in the resolver's order. Blocks while a name resolves.
    static func resolve(host: String, port: UInt16) throws(SocketFailure) -> [SocketAddress] {
        if let numeric = SocketAddress(numericHost: host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw .unknownHost("\(host): \(reason)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let info = current.pointee
            if let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6,
                Int(info.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size
            {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
                }
                addresses.append(SocketAddress(storage: storage, length: info.ai_addrlen, family: info.ai_family))
            }
            entry = info.ai_next
        }
        guard !addresses.isEmpty else { throw .unknownHost("\(host): no IPv4 or IPv6 address") }
        return addresses
    }
}

/// Thin wrappers over the POSIX calls ``SocketTransport`` makes, the same on Linux and macOS.
enum POSIX {
    static var errorNumber: Int32 { errno }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A non-blocking, close-on-exec TCP socket of `family`.
    static func streamSocket(family: Int32) -> Int32 {
        #if canImport(Glibc)
        return socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        guard fd >= 0 else { return fd }
        configure(fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
        #endif
    }

    /// A connected pair of non-blocking, close-on-exec local sockets: one end wakes a `poll` on the other.
    static func wakePair() -> (reader: Int32, writer: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return nil }
        #else
        guard socketpair(AF_UNIX, SOCK_STREAM, 0, &fds) == 0 else { return nil }
        configure(fds[0])
        configure(fds[1])
        var one: Int32 = 1
        setsockopt(fds[1], SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return (fds[0], fds[1])
    }

    #if !canImport(Glibc)
    private static func configure(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    #endif

    static func connect(_ fd: Int32, to address: SocketAddress) -> Int32 {
        var storage = address.storage
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.connect(fd, $0, address.length)
                #else
                Darwin.connect(fd, $0, address.length)
                #endif
            }
        }
    }

    /// The pending error of a socket whose non-blocking connect has finished.
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        #if canImport(Glibc)
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #else
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        #if canImport(Glibc)
        Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        #else
        Darwin.send(fd, bytes.baseAddress, bytes.count, 0)
        #endif
    }

    static func receive(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        recv(fd, buffer.baseAddress, buffer.count, 0)
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// Writes one byte to `fd`, ignoring the outcome (a full pipe already wakes its reader).
    static func poke(_ fd: Int32) {
        let byte: UInt8 = 1
        _ = withUnsafeBytes(of: byte) { send(fd, $0) }
    }

    /// What `poll` saw.
    enum Readiness {
        case ready
        case woken
        case timedOut
    }

    /// Waits until `fd` is ready for `events` (POLLIN or POLLOUT), `wake` is readable, or `deadline` passes.
    static func wait(_ fd: Int32, for events: Int16, wake: Int32, until deadline: ContinuousClock.Instant) -> Readiness {
        while true {
            let now = ContinuousClock.now
            guard now < deadline else { return .timedOut }
            let (seconds, attoseconds) = (deadline - now).components
            // Round up so the wait never returns a hair before the deadline; cap to what poll takes.
            let milliseconds = min(Int64(Int32.max), seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            var fds = [
                pollfd(fd: fd, events: events, revents: 0),
                pollfd(fd: wake, events: Int16(truncatingIfNeeded: POLLIN), revents: 0),
            ]
            let count = poll(&fds, nfds_t(fds.count), Int32(milliseconds))
            if count < 0 {
                if errno == EINTR { continue }
                // poll only fails on bad arguments; treat it as readiness so the next call reports the real error.
                return .ready
            }
            if fds[1].revents != 0 { return .woken }
            if fds[0].revents != 0 { return .ready }
        }
    }

    static let readable = Int16(truncatingIfNeeded: POLLIN)
    static let writable = Int16(truncatingIfNeeded: POLLOUT)
}
