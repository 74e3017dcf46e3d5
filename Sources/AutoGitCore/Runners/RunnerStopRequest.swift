/// How to stop or restart a runner: `POST /v1/runners/{id}/stop` and `/restart`.
///
/// A graceful stop drains: running jobs finish (up to `timeout` seconds), no new ones start. A forced stop
/// re-queues running jobs at once.
public struct RunnerStopRequest: Codable, Sendable, Hashable {
    public var graceful: Bool?
    /// Seconds to wait for running jobs before they are stopped and re-queued.
    public var timeout: Int?
    public var reason: String?

    public init(graceful: Bool? = nil, timeout: Int? = nil, reason: String? = nil) {
        self.graceful = graceful
        self.timeout = timeout
        self.reason = reason
    }
}
