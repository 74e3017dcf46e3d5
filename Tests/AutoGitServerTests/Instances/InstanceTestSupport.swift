import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitServer

#if canImport(Glibc)
import Glibc
#endif

/// Every status change a manager reports, in order.
final class StatusRecorder: Sendable {
    private let changes = Mutex<[InstanceStatusChange]>([])

    func record(_ change: InstanceStatusChange) { changes.withLock { $0.append(change) } }

    func changes(of name: String) -> [InstanceStatusChange] { changes.withLock { $0.filter { $0.instance == name } } }

    /// `old→new` for each change of `name`.
    func transitions(of name: String) -> [String] {
        changes(of: name).map { "\($0.oldStatus.rawValue)→\($0.newStatus.rawValue)" }
    }
}

/// A manager on a fresh data directory with short timings, real processes, and a cleanup that kills every process
/// group it (or a manager opened later on the same directory) started, whatever the test did.
final class InstanceHarness: Sendable {
    let directory = TemporaryDirectory("autogit-instances")
    let recorder = StatusRecorder()
    let portRange: ClosedRange<Int>
    private let groups = Mutex<Set<Int32>>([])
    private let managers = Mutex<[InstanceManager]>([])
    private let stores = Mutex<[DurableStore]>([])

    init() {
        // A block of 200 ports below Linux's ephemeral range, different for each harness.
        let base = 20_000 + Int.random(in: 0..<60) * 200
        portRange = base...(base + 199)
    }

    var storePath: String { directory.path + "/store" }
    var instancesPath: String { directory.path + "/instances" }

    func configuration(maxRunning: Int = 4) -> InstanceManager.Configuration {
        var configuration = InstanceManager.Configuration(
            directory: instancesPath,
            instances: ServerConfiguration.Instances(
                portRangeStart: portRange.lowerBound, portRangeEnd: portRange.upperBound, maxRunning: maxRunning))
        configuration.startTimeout = .seconds(20)
        configuration.startProbeInterval = .milliseconds(100)
        configuration.healthInterval = .milliseconds(200)
        configuration.unhealthyThreshold = 2
        configuration.probeTimeout = .seconds(1)
        configuration.stopTimeout = .seconds(5)
        configuration.maxBackoff = .seconds(2)
        configuration.adoptionTimeout = .seconds(5)
        configuration.proxyTimeout = .seconds(20)
        return configuration
    }

    /// A manager on this harness's store (opened now); every manager and store made here is cleaned up by ``close()``.
    func makeManager(
        maxRunning: Int = 4, gpuAllocator: any InstanceGPUAllocator = NoInstanceGPUs(), events: EventBus? = nil,
        configure: (inout InstanceManager.Configuration) -> Void = { _ in }
    ) throws -> InstanceManager {
        let store = try DurableStore(directory: storePath)
        stores.withLock { $0.append(store) }
        var configuration = configuration(maxRunning: maxRunning)
        configure(&configuration)
        let recorder = recorder
        let manager = InstanceManager(
            store: store, configuration: configuration, gpuAllocator: gpuAllocator, events: events,
            onStatusChange: { recorder.record($0) })
        managers.withLock { $0.append(manager) }
        return manager
    }

    /// Closes the store of the managers made so far (after a simulated crash, before opening the next).
    func closeStores() async {
        for store in stores.withLock({ $0 }) { await store.close() }
    }

    /// Remembers a pid to kill at the end (a process a test started itself).
    func track(_ group: Int32) { groups.withLock { _ = $0.insert(group) } }

    /// Shuts every manager down and kills every process group any of them started.
    func close() async {
        for manager in managers.withLock({ $0 }) {
            let started = await manager.spawnedProcessGroups
            groups.withLock { $0.formUnion(started) }
            await manager.shutdown(timeout: .seconds(2))
        }
        for group in groups.withLock({ $0 }) where group > 1 { kill(-group, SIGKILL) }
        await closeStores()
    }

    /// Runs `body` with the harness and always cleans up after it.
    static func run(_ body: (InstanceHarness) async throws -> Void) async throws {
        let harness = InstanceHarness()
        do {
            try await body(harness)
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    /// Writes a helper script into the data directory and returns its path.
    func script(_ name: String, _ text: String) throws -> String {
        let path = directory.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `python3 -m http.server` on the instance's port, bound to 127.0.0.1.
func httpServerInstance(
    _ name: String, port: Int? = nil, policy: RestartPolicy = RestartPolicy(), onDemand: Bool = false, idleTimeout: Int? = nil
) -> Instance {
    Instance(
        name: name, backend: .custom, command: "exec python3 -m http.server {port} --bind {host}", port: port, restartPolicy: policy,
        onDemand: onDemand, idleTimeout: idleTimeout)
}

/// Polls `condition` until it holds or `timeout` passes; the answer of its last evaluation.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
}

/// A listening socket on 127.0.0.1 that some other program might have opened; closed by `close()`.
final class ForeignListener: Sendable {
    let descriptor: Int32
    let port: Int

    init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            Glibc.close(fd)
            return nil
        }
        descriptor = fd
        self.port = port
    }

    /// A listener on the first port of `range` that can be bound.
    static func anywhere(in range: ClosedRange<Int>) -> ForeignListener? {
        for port in range.reversed() {
            if let listener = ForeignListener(port: port) { return listener }
        }
        return nil
    }

    func close() { Glibc.close(descriptor) }
}

/// The error a call threw, as a `ServerError`.
func serverError(_ body: () async throws -> Void) async -> ServerError? {
    do {
        try await body()
        return nil
    } catch let error as ServerError {
        return error
    } catch {
        Issue.record("expected a ServerError, got \(error)")
        return nil
    }
}

/// Python scripts the tests run as custom backends.
enum Scripts {
    /// An HTTP server that logs nothing, so it keeps serving after its output is cut off (an adoptable orphan).
    static let quietServer = """
        import http.server, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"quiet"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """

    /// Echoes the request as JSON on any path; `/stream` answers in chunks (chunked transfer encoding).
    static let echoServer = """
        import http.server, json, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def echo(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if self.path.startswith("/stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for i in range(3):
                        chunk = ("data: %d\\n\\n" % i).encode()
                        self.wfile.write(b"%x\\r\\n%s\\r\\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\\r\\n\\r\\n")
                    return
                answer = json.dumps({"method": self.command, "path": self.path, "body": body,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Upstream", "echo")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = echo
        http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """
}

/// The suites that start real processes run one test at a time (each suite is a child of this one), so they do not
/// swamp a small machine while the rest of the tests run beside them.
@Suite("Instances with real processes", .serialized)
enum InstanceProcessSuites {}
