import AutoGitHTTP
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct LoopbackError: Error, CustomStringConvertible {
    var description: String
}

/// A loopback port that nothing listens on: bound by the system, then closed again.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LoopbackError(description: "socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw LoopbackError(description: "bind failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs `body` with an `HTTPServer` on 127.0.0.1, port 0, serving `handler`, and always shuts the server down.
func withStubServer<T>(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    _ handler: @escaping HTTPHandler,
    _ body: (HTTPServer, URL) async throws -> T
) async throws -> T {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.eventLoopCount = 1
    configuration.idleTimeout = .seconds(10)
    configuration.shutdownGracePeriod = .seconds(2)
    configuration.sseHeartbeatInterval = .seconds(60)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try await server.start()
    let url = URL(string: "http://127.0.0.1:\(server.port)")!
    do {
        let result = try await body(server, url)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Fails the test, instead of hanging it, when `operation` takes longer than `limit`.
func withTimeLimit<T: Sendable>(
    _ limit: Duration = .seconds(20), _ what: String = "the operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw LoopbackError(description: "\(what) did not finish within \(limit)")
        }
        return value
    }
}

/// A one-shot signal between a stub server's handler and a test: `wait()` returns once `signal()` was called, and
/// throws after `limit` (or when cancelled), so a test that goes wrong fails instead of hanging.
final class Gate: Sendable {
    private let opened = Mutex(false)

    func signal() { opened.withLock { $0 = true } }

    var isOpen: Bool { opened.withLock { $0 } }

    func wait(limit: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + limit
        while !isOpen {
            guard ContinuousClock.now < deadline else { throw LoopbackError(description: "no signal within \(limit)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Things a stub server saw, in order, for tests to check afterwards.
final class Log<Entry: Sendable>: Sendable {
    private let entries = Mutex<[Entry]>([])

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
    var all: [Entry] { entries.withLock { $0 } }
    var count: Int { entries.withLock { $0.count } }
}
