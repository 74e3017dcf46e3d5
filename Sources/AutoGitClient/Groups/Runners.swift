import AutoGitCore
import Foundation

extension AutoGitClient {
    /// Runners: list, provision, register, inspect, configure, start and stop; and the runner agent's endpoints
    /// (heartbeat, the job long poll).
    public struct Runners: Sendable {
        let client: AutoGitClient

        /// `GET /v1/runners`: every runner matching the filters, fetched page by page.
        ///
        /// ```swift
        /// for try await runner in client.runners.list(status: .idle, labels: ["cuda"]) { ... }
        /// ```
        ///
        /// - Parameters:
        ///   - status: only runners in this status.
        ///   - type: only runners of this type.
        ///   - tags: runners having every one of these tags.
        ///   - labels: runners having every one of these labels.
        ///   - provider: only runners made by this fleeting provider.
        ///   - pageSize: runners asked for per request (1–500).
        public func list(
            status: RunnerStatus? = nil, type: RunnerType? = nil, tags: [String] = [], labels: [String] = [], provider: String? = nil,
            pageSize: Int = 50
        ) -> PageSequence<Runner> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(status: status, type: type, tags: tags, labels: labels, provider: provider, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/runners`: one page of runners.
        public func listPage(
            status: RunnerStatus? = nil, type: RunnerType? = nil, tags: [String] = [], labels: [String] = [], provider: String? = nil,
            limit: Int = 50, offset: Int = 0
        ) async throws(AutoGitError) -> Page<Runner> {
            var query = Query()
            query.add("status", status)
            query.add("type", type)
            query.add("tags", tags)
            query.add("labels", labels)
            query.add("provider", provider)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "runners"), query: query))
        }

        /// `POST /v1/runners`: asks a fleeting provider for new runners; returns them in status `provisioning`.
        public func provision(_ request: RunnerProvisionRequest) async throws(AutoGitError) -> [Runner] {
            let page: Page<Runner> = try await client.decode(APIRequest("POST", Path("v1", "runners"), json: request))
            return page.items
        }

        /// `POST /v1/runners/register`: registers a runner agent (with a registration token); the answer carries
        /// the runner's id and its own token.
        public func register(_ registration: RunnerRegistration) async throws(AutoGitError) -> RunnerRegistrationResult {
            try await client.decode(APIRequest("POST", Path("v1", "runners", "register"), json: registration))
        }

        /// `POST /v1/runners/bulk`: one operation on every runner matching the operation's filters.
        public func bulk(_ operation: BulkOperation) async throws(AutoGitError) -> BulkOperationResult {
            try await client.decode(APIRequest("POST", Path("v1", "runners", "bulk"), json: operation))
        }

        /// `GET /v1/runners/{id}`.
        public func get(_ id: String) async throws(AutoGitError) -> Runner {
            try await client.decode(APIRequest("GET", Path("v1", "runners", id)))
        }

        /// `PUT /v1/runners/{id}`: changes the name, labels, tags, capabilities or metadata given.
        @discardableResult
        public func update(_ id: String, _ update: RunnerUpdate) async throws(AutoGitError) -> Runner {
            try await client.decode(APIRequest("PUT", Path("v1", "runners", id), json: update))
        }

        /// `DELETE /v1/runners/{id}`: removes a runner; `force` removes it even with jobs running (they are
        /// re-queued).
        @discardableResult
        public func delete(_ id: String, force: Bool = false) async throws(AutoGitError) -> ActionResult {
            var query = Query()
            if force { query.add("force", true) }
            return try await client.decode(APIRequest("DELETE", Path("v1", "runners", id), query: query))
        }

        /// `GET /v1/runners/{id}/status`.
        public func status(_ id: String) async throws(AutoGitError) -> RunnerStatusReport {
            try await client.decode(APIRequest("GET", Path("v1", "runners", id, "status")))
        }

        /// `GET /v1/runners/{id}/health`.
        public func health(_ id: String) async throws(AutoGitError) -> RunnerHealth {
            try await client.decode(APIRequest("GET", Path("v1", "runners", id, "health")))
        }

        /// `GET /v1/runners/{id}/metrics`: time series over `period` (`1h`, `24h`) at `resolution` (`1m`, `5m`).
        public func metrics(_ id: String, period: String? = nil, resolution: String? = nil) async throws(AutoGitError) -> RunnerMetrics {
            var query = Query()
            query.add("period", period)
            query.add("resolution", resolution)
            return try await client.decode(APIRequest("GET", Path("v1", "runners", id, "metrics"), query: query))
        }

        /// `GET /v1/runners/{id}/config`.
        public func configuration(_ id: String) async throws(AutoGitError) -> RunnerConfigurationDocument {
            try await client.decode(APIRequest("GET", Path("v1", "runners", id, "config")))
        }

        /// `PUT /v1/runners/{id}/config`: changes the settings given; `restart_required` says whether they wait
        /// for a restart.
        @discardableResult
        public func updateConfiguration(_ id: String, _ configuration: RunnerConfiguration) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("PUT", Path("v1", "runners", id, "config"), json: configuration))
        }

        /// `POST /v1/runners/{id}/start`.
        @discardableResult
        public func start(_ id: String) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("POST", Path("v1", "runners", id, "start")))
        }

        /// `POST /v1/runners/{id}/stop`: gracefully (draining running jobs) unless `request.graceful` is `false`.
        @discardableResult
        public func stop(_ id: String, _ request: RunnerStopRequest = RunnerStopRequest()) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("POST", Path("v1", "runners", id, "stop"), json: request))
        }

        /// `POST /v1/runners/{id}/restart`.
        @discardableResult
        public func restart(_ id: String, _ request: RunnerStopRequest = RunnerStopRequest()) async throws(AutoGitError) -> ActionResult {
            try await client.decode(APIRequest("POST", Path("v1", "runners", id, "restart"), json: request))
        }

        /// `POST /v1/runners/{id}/heartbeat` (runner agent): reports load and GPU readings; the answer lists jobs
        /// to cancel and when to beat next. Safe to repeat, so retried like a GET.
        public func heartbeat(_ id: String, _ heartbeat: Heartbeat) async throws(AutoGitError) -> HeartbeatAcknowledgement {
            try await client.decode(APIRequest("POST", Path("v1", "runners", id, "heartbeat"), json: heartbeat, idempotent: true))
        }

        /// `POST /v1/runners/{id}/jobs/request` (runner agent): takes the next job for this runner, waiting up to
        /// `wait` seconds for one (a long poll); `nil` when none came. The client's timeout is extended by `wait`.
        /// Not retried: a lost answer might have carried a job.
        public func requestJob(_ id: String, wait: Int = 30) async throws(AutoGitError) -> Job? {
            var query = Query()
            query.add("wait", wait)
            var request = APIRequest("POST", Path("v1", "runners", id, "jobs", "request"), query: query)
            request.extraTimeout = .seconds(max(0, wait))
            return try await client.decodeUnlessEmpty(request, as: Job.self)
        }

        /// `GET /v1/runners/{id}/logs`: the runner agent's own log, or with `follow` the stored lines then new ones
        /// as they come (a stream that ends only when cancelled). Reconnects with `Last-Event-ID` after a dropped
        /// connection.
        public func logs(
            _ id: String, lines: Int? = nil, level: LogLevel? = nil, since: Date? = nil, follow: Bool = false
        ) -> AsyncThrowingStream<LogEntry, any Error> {
            var query = Query()
            query.add("lines", lines)
            query.add("level", level)
            query.add("since", since.map(RFC3339.string(from:)))
            guard follow else {
                return client.oneShotStream { () throws(AutoGitError) in
                    try await logPage(id, lines: lines, level: level, since: since).items
                }
            }
            query.add("follow", true)
            let path = Path("v1", "runners", id, "logs")
            return client.eventStream { [query] _ throws(AutoGitError) in
                APIRequest("GET", path, query: query)
            } handle: { event throws(AutoGitError) in
                event.event == "log" || event.event == "message" ? .yield(try LogEntry.decodeEvent(event)) : .skip
            }
        }

        /// `GET /v1/runners/{id}/logs`: the last `lines` lines as one page.
        public func logPage(
            _ id: String, lines: Int? = nil, level: LogLevel? = nil, since: Date? = nil
        ) async throws(AutoGitError) -> Page<LogEntry> {
            var query = Query()
            query.add("lines", lines)
            query.add("level", level)
            query.add("since", since.map(RFC3339.string(from:)))
            return try await client.decode(APIRequest("GET", Path("v1", "runners", id, "logs"), query: query))
        }

        /// `GET /v1/runners/{id}/jobs`: the jobs assigned to a runner, fetched page by page.
        public func jobs(of id: String, status: [JobStatus] = [], pageSize: Int = 50) -> PageSequence<Job> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await jobsPage(of: id, status: status, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/runners/{id}/jobs`: one page of a runner's jobs.
        public func jobsPage(
            of id: String, status: [JobStatus] = [], limit: Int = 50, offset: Int = 0
        ) async throws(AutoGitError) -> Page<Job> {
            var query = Query()
            query.add("status", status)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "runners", id, "jobs"), query: query))
        }

        /// `POST /v1/runners/{id}/jobs`: submits a job pinned to this runner.
        public func submitJob(_ spec: JobSpec, to id: String) async throws(AutoGitError) -> Job {
            try await client.decode(APIRequest("POST", Path("v1", "runners", id, "jobs"), json: spec))
        }
    }
}
