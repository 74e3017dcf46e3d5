import AutoGitCore
import Foundation

extension AutoGitClient {
    /// Jobs: submit, list, inspect, cancel, read and follow logs; and the runner agent's status reports and log
    /// uploads.
    public struct Jobs: Sendable {
        let client: AutoGitClient

        /// `POST /v1/jobs`: queues a job. The server validates it (a 422 `VALIDATION_FAILED` names the field) and
        /// stores it before answering. Not retried unless the client's retry mode is `.always`: a lost answer
        /// does not tell whether the job was created.
        public func submit(_ spec: JobSpec) async throws(AutoGitError) -> Job {
            try await client.decode(APIRequest("POST", Path("v1", "jobs"), json: spec))
        }

        /// `GET /v1/jobs`: every job matching the filters, fetched page by page.
        ///
        /// - Parameters:
        ///   - status: jobs in any of these statuses.
        ///   - runnerID: only jobs assigned to this runner.
        ///   - labels: jobs requiring every one of these runner labels.
        ///   - pageSize: jobs asked for per request (1–500).
        public func list(status: [JobStatus] = [], runnerID: String? = nil, labels: [String] = [], pageSize: Int = 50) -> PageSequence<Job>
        {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(status: status, runnerID: runnerID, labels: labels, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/jobs`: one page of jobs.
        public func listPage(
            status: [JobStatus] = [], runnerID: String? = nil, labels: [String] = [], limit: Int = 50, offset: Int = 0
        ) async throws(AutoGitError) -> Page<Job> {
            var query = Query()
            query.add("status", status)
            query.add("runner_id", runnerID)
            query.add("label", labels)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "jobs"), query: query))
        }

        /// `GET /v1/jobs/{id}`.
        public func get(_ id: String) async throws(AutoGitError) -> Job {
            try await client.decode(APIRequest("GET", Path("v1", "jobs", id)))
        }

        /// `PATCH /v1/jobs/{id}` (runner agent): reports status, step results and exit code. Safe to repeat, so
        /// retried like a GET.
        @discardableResult
        public func update(_ id: String, _ update: JobUpdate) async throws(AutoGitError) -> Job {
            try await client.decode(APIRequest("PATCH", Path("v1", "jobs", id), json: update, idempotent: true))
        }

        /// `POST /v1/jobs/{id}/cancel`: cancels a queued job at once, or asks the runner to stop a running one.
        /// Cancelling a finished job throws `INVALID_STATE_TRANSITION`.
        @discardableResult
        public func cancel(_ id: String) async throws(AutoGitError) -> Job {
            try await client.decode(APIRequest("POST", Path("v1", "jobs", id, "cancel")))
        }

        /// `GET /v1/jobs/{id}/logs`: a job's output lines in `seq` order.
        ///
        /// Without `follow`, the stream holds the stored lines (every one after `after` when given, read page by
        /// page, else the last `lines`) and ends. With `follow`, it goes on with new lines as the runner uploads them and ends when the job is
        /// final and every line has arrived (the server's `end` event). After a dropped connection it reconnects
        /// with `Last-Event-ID` and `after` set to the last `seq` received, so no line is lost or repeated.
        ///
        /// Cancel the task reading the stream to stop following: that closes the connection.
        ///
        /// ```swift
        /// for try await line in client.jobs.logs(job.id, follow: true) {
        ///     print(line.message)
        /// }
        /// ```
        public func logs(
            _ id: String, lines: Int? = nil, after: Int? = nil, follow: Bool = false
        ) -> AsyncThrowingStream<LogEntry, any Error> {
            guard follow else {
                return client.oneShotStream { () throws(AutoGitError) in
                    guard let after else { return try await logPage(id, lines: lines).items }
                    // A page after a sequence is bounded by the server; its `has_more` asks for the next one.
                    var entries: [LogEntry] = []
                    var cursor = after
                    while true {
                        let page = try await logPage(id, after: cursor)
                        entries += page.items
                        guard page.hasMore, let last = page.items.last?.sequence, last > cursor else { return entries }
                        cursor = last
                    }
                }
            }
            let path = Path("v1", "jobs", id, "logs")
            return client.eventStream(resumingAfter: after.map(String.init), reconnectsAtEnd: true) { lastEventID throws(AutoGitError) in
                var query = Query()
                query.add("follow", true)
                if let lastEventID, let sequence = Int(lastEventID) {
                    query.add("after", sequence)
                } else {
                    query.add("lines", lines)
                    query.add("after", after)
                }
                return APIRequest("GET", path, query: query)
            } handle: { event throws(AutoGitError) in
                switch event.event {
                case "log", "message": .yield(try LogEntry.decodeEvent(event))
                case "end": .finish
                default: .skip
                }
            }
        }

        /// `GET /v1/jobs/{id}/logs`: one page of stored lines (after `after` when given, else the last `lines`).
        public func logPage(_ id: String, lines: Int? = nil, after: Int? = nil) async throws(AutoGitError) -> Page<LogEntry> {
            var query = Query()
            query.add("lines", lines)
            query.add("after", after)
            return try await client.decode(APIRequest("GET", Path("v1", "jobs", id, "logs"), query: query))
        }

        /// `POST /v1/jobs/{id}/logs` (runner agent): uploads lines in `seq` order. Idempotent by `seq` (lines the
        /// server holds are skipped), so retried like a GET; a gap throws `CONFLICT` with
        /// `details.last_sequence`.
        @discardableResult
        public func appendLogs(_ id: String, _ entries: [LogEntry]) async throws(AutoGitError) -> LogBatchResult {
            try await client.decode(APIRequest("POST", Path("v1", "jobs", id, "logs"), json: LogBatch(entries: entries), idempotent: true))
        }
    }
}
