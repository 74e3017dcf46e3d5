import AutoGitCore
import Foundation

/// The health check of a model server: is its process alive, does its port accept a connection, and does an HTTP
/// `GET` of its health path get an answer that counts as serving.
///
/// The rule for the answer: any status from 200 to 499 passes, 5xx or no answer fails. A 404 means the program's
/// HTTP stack runs but has no such route (`python3 -m http.server` answers `/health` so), which says as much about
/// liveness as a 200; a 5xx is how servers say "not ready" (llama.cpp's `/health` answers 503 while it loads the
/// model), so it must fail. Point `health_path` at a route that is 200 only when ready to be strict.
struct InstanceHealthProbe: Sendable {
    /// What one probe found.
    struct Result: Sendable, Equatable {
        var processAlive: Bool
        var portOpen: Bool
        /// The HTTP status of the probe's answer, nil when none arrived.
        var status: Int?
        var checkedAt: Date

        var isServing: Bool { status.map { (200..<500).contains($0) } ?? false }
        var isHealthy: Bool { processAlive && portOpen && isServing }

        /// LlamaCtl's shape: `{"process": "running", "port": "open", "response": "ok"}` and a verdict.
        var health: InstanceHealth {
            var checks = [
                "process": processAlive ? "running" : "stopped",
                "port": portOpen ? "open" : "closed",
            ]
            switch status {
            case .some(let code) where (200..<500).contains(code): checks["response"] = "ok"
            case .some(let code): checks["response"] = "http \(code)"
            case .none: checks["response"] = portOpen ? "no answer" : "none"
            }
            let verdict: HealthState = isHealthy ? .healthy : (processAlive ? (portOpen ? .degraded : .unhealthy) : .unhealthy)
            return InstanceHealth(status: verdict, checks: checks, lastCheck: checkedAt)
        }
    }

    var port: Int
    var path: String
    var timeout: Duration

    /// Probes on a thread of its own; takes at most about twice `timeout`.
    func check(processAlive: Bool) async -> Result {
        let port = port
        let path = path
        let timeout = timeout
        return await BlockingCall.run("autogit-instance-probe") {
            Self.probe(port: port, path: path, timeout: timeout, processAlive: processAlive)
        }
    }

    private static func probe(port: Int, path: String, timeout: Duration, processAlive: Bool) -> Result {
        guard let descriptor = LoopbackSocket.open(port: port, timeout: timeout) else {
            return Result(processAlive: processAlive, portOpen: false, status: nil, checkedAt: Date())
        }
        defer { InstanceSyscalls.close(descriptor) }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: autogit-health\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        guard LoopbackSocket.sendAll(descriptor, Array(request.utf8)) else {
            return Result(processAlive: processAlive, portOpen: true, status: nil, checkedAt: Date())
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(0x0A) && received.count < 8192 {
            let count = InstanceSyscalls.read(descriptor, into: &buffer)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return Result(processAlive: processAlive, portOpen: true, status: statusCode(received), checkedAt: Date())
    }

    /// The status code of an `HTTP/1.x NNN …` status line.
    static func statusCode(_ bytes: [UInt8]) -> Int? {
        guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]) else { return nil }
        return code
    }
}
