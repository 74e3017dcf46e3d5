import AutoGitCore
import AutoGitHTTP
import Foundation

extension InstanceManager {
    /// Forwards `request` to the instance's model server at `http://127.0.0.1:<port>/<path>` and returns its answer
    /// as it came (any status; bodies stream). A stopped or failed `on_demand` instance is started first and the
    /// request waits until it is healthy. Every request counts as use for the idle timer and the LRU order.
    ///
    /// - Parameter path: the model server's path without its leading `/`, still percent-encoded.
    /// - Throws: 404 `INSTANCE_NOT_FOUND`; 503 `SERVICE_UNAVAILABLE` when the instance is not running and cannot be
    ///   started on demand, does not become healthy within ``Configuration/startTimeout``, or does not answer.
    public func proxy(_ name: String, path: String, request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try checkOpen()
        let activity = try entry(name).activity
        activity.begin()
        let port: Int
        do {
            port = try await servingPort(name)
        } catch {
            activity.end()
            throw error
        }
        let client = InstanceProxyClient(timeout: configuration.proxyTimeout, bufferLimit: configuration.proxyBufferLimit)
        return try await client.forward(request, path: path, port: port, instance: name) { activity.end() }
    }

    /// The port of the instance once it runs, starting an on-demand instance first.
    private func servingPort(_ name: String) async throws(ServerError) -> Int {
        let entry = try entry(name)
        switch entry.instance.status {
        case .running:
            if let port = entry.instance.port { return port }
        case .starting:
            break
        case .stopping:
            throw InstanceErrors.unavailable(name, "Instance '\(name)' is stopping")
        case .stopped, .failed, .unknown:
            guard entry.instance.onDemand else {
                throw InstanceErrors.unavailable(
                    name, "Instance '\(name)' is \(entry.instance.status.rawValue): start it, or set on_demand to start it with a request")
            }
            entries[name]?.instance.restarts = 0
            entries[name]?.instance.lastError = nil
            do {
                try await launch(name, reason: "on-demand start for a proxied request")
            } catch {
                throw InstanceErrors.unavailable(name, "Instance '\(name)' could not be started: \(error.message)")
            }
        }
        let instance = try await waitUntilRunning(name, timeout: configuration.startTimeout)
        guard let port = instance.port else { throw InstanceErrors.unavailable(name, "Instance '\(name)' has no port") }
        return port
    }

    /// Waits until the instance is `running` (through restarts that its policy makes), or fails with 503 when it ends
    /// `stopped` or `failed`, or `timeout` passes first.
    public func waitUntilRunning(_ name: String, timeout: Duration) async throws(ServerError) -> Instance {
        let deadline = ContinuousClock.now + timeout
        while true {
            let entry = try entry(name)
            switch entry.instance.status {
            case .running:
                return try get(name)
            case .starting:
                break
            default:
                let why = entry.instance.lastError.map { ": \($0)" } ?? ""
                throw InstanceErrors.unavailable(name, "Instance '\(name)' is \(entry.instance.status.rawValue)\(why)")
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                throw InstanceErrors.unavailable(name, "Instance '\(name)' did not become healthy within \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }
}
