import AutoGitCore
import AutoGitHTTP
import Foundation

/// `GET /v1/health`, `/v1/system/status`, `/v1/system/info` and `GET /metrics`.
struct SystemRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/health", .open) { _ in try health() }
        routes.get("/v1/system/status", .read) { _ in try await status() }
        routes.get("/v1/system/info", .read) { _ in try APIResponse.json(HostResources.info()) }
        routes.get("/metrics", .open) { _ in await metrics() }
    }

    /// 200 while requests can be served and written; 503 while the server stops or its store refuses writes.
    func health() throws(ServerError) -> HTTPResponse {
        if context.isStopping {
            throw ServerError(.serviceUnavailable, status: 503, "The server is shutting down")
        }
        guard context.store.isWritable else {
            throw ServerError(.serviceUnavailable, status: 503, "The store refuses writes after a disk failure; restart the server")
        }
        return try APIResponse.json(ServiceHealth(status: "ok", version: ServerVersion.current, server: "autogit", timestamp: Date()))
    }

    func status() async throws(ServerError) -> HTTPResponse {
        let summary = await context.fleet.summary()
        let instances = await context.instances.list()
        let running = instances.filter { $0.status == .running }.count
        let stopped = instances.filter { $0.status == .stopped }.count
        let status = SystemStatus(
            version: ServerVersion.current, uptime: Date().timeIntervalSince(context.startedAt),
            runners: .init(total: summary.runnerCount, byStatus: summary.runnersByStatus),
            jobs: .init(
                total: summary.jobCount, queued: summary.jobsByStatus[JobStatus.queued.rawValue] ?? 0,
                running: summary.jobsByStatus[JobStatus.running.rawValue] ?? 0, byStatus: summary.jobsByStatus),
            gpus: .init(total: summary.gpuCount, allocated: summary.allocatedGPUs, available: summary.availableGPUs),
            instances: .init(total: instances.count, running: running, stopped: stopped),
            resources: HostResources.usage(of: context.dataDirectory))
        return try APIResponse.json(status)
    }

    /// The Prometheus text exposition: requests and latency by route, runners and jobs by status, queue depth,
    /// journal syncs.
    func metrics() async -> HTTPResponse {
        let summary = await context.fleet.summary()
        var text = PrometheusText()
        text.family("autogit_http_requests_total", "counter", "HTTP requests served, by method, route template and status.")
        let requests = context.requestMetrics.requests.sorted {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }
        for (key, count) in requests {
            text.sample(
                "autogit_http_requests_total", [("method", key.method), ("route", key.route), ("status", String(key.status))], count)
        }
        text.family("autogit_http_request_duration_seconds", "histogram", "Time to answer a request (to the head of a stream), by route.")
        for (route, latency) in context.requestMetrics.latencies.sorted(by: { $0.key < $1.key }) {
            var cumulative: [Int] = []
            var running = 0
            for count in latency.buckets {
                running += count
                cumulative.append(running)
            }
            text.histogram(
                "autogit_http_request_duration_seconds", [("route", route)], bounds: RequestMetrics.bounds, cumulativeCounts: cumulative,
                sum: latency.sum, count: latency.count)
        }
        text.family("autogit_runners", "gauge", "Runners by status.")
        for status in RunnerStatus.allCases {
            text.sample("autogit_runners", [("status", status.rawValue)], summary.runnersByStatus[status.rawValue] ?? 0)
        }
        text.family("autogit_jobs", "gauge", "Jobs by status.")
        for status in JobStatus.allCases {
            text.sample("autogit_jobs", [("status", status.rawValue)], summary.jobsByStatus[status.rawValue] ?? 0)
        }
        text.family("autogit_jobs_queued", "gauge", "Jobs waiting for a runner.")
        text.sample("autogit_jobs_queued", summary.queueDepth)
        text.family("autogit_gpus", "gauge", "GPUs by state.")
        text.sample("autogit_gpus", [("state", "allocated")], summary.allocatedGPUs)
        text.sample("autogit_gpus", [("state", "available")], summary.availableGPUs)
        text.sample("autogit_gpus", [("state", "total")], summary.gpuCount)
        let store = context.store.statistics
        text.family("autogit_journal_fsync_duration_seconds", "histogram", "Time of each journal sync (one per group commit).")
        text.histogram(
            "autogit_journal_fsync_duration_seconds", bounds: store.syncHistogram.map(\.bound),
            cumulativeCounts: store.syncHistogram.map(\.count), sum: store.syncSeconds, count: store.syncs)
        text.family("autogit_journal_commits_total", "counter", "Writes made durable in the journal.")
        text.sample("autogit_journal_commits_total", store.commits)
        text.family("autogit_journal_bytes", "gauge", "Journal bytes written since the last snapshot.")
        text.sample("autogit_journal_bytes", store.journalBytes)
        text.family("autogit_event_subscribers", "gauge", "Open event streams and internal subscribers.")
        text.sample("autogit_event_subscribers", context.events.subscriberCount)
        text.family("autogit_uptime_seconds", "gauge", "Seconds since the server started.")
        text.sample("autogit_uptime_seconds", Date().timeIntervalSince(context.startedAt).rounded())
        return HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], bytes: Array(text.text.utf8))
    }
}
