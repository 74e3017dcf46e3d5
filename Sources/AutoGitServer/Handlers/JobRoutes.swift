import AutoGitCore
import AutoGitHTTP

/// The jobs group: submit, list, inspect, cancel, read and follow logs; and the runner agent's status reports and
/// log uploads, accepted only from the runner the job is assigned to.
struct JobRoutes {
    let context: APIContext

    /// The most log lines one JSON page holds when read `after` a sequence; `has_more` tells the reader to go on.
    static let maximumLogPage = 10_000

    func register(in routes: inout RouteTable) {
        routes.post("/v1/jobs", .write) { request in try await submit(try request.decodeBody(JobSpec.self)) }
        routes.get("/v1/jobs", .read) { request in try await list(request) }
        routes.get("/v1/jobs/{id}", .jobRead) { request in try APIResponse.json(try await visibleJob(request)) }
        routes.patch("/v1/jobs/{id}", .jobAgent) { request in try await update(request) }
        routes.post("/v1/jobs/{id}/cancel", .write) { request in
            try APIResponse.json(await context.fleet.cancel(request.pathParameter("id")))
        }
        routes.get("/v1/jobs/{id}/logs", .jobRead) { request in try await logs(request) }
        routes.post("/v1/jobs/{id}/logs", .jobAgent) { request in try await appendLogs(request) }
    }

    /// Validates and queues `spec` (the server's default timeout when it sets none); answers 201 once it is durable.
    func submit(_ spec: JobSpec) async throws(ServerError) -> HTTPResponse {
        var spec = spec
        if spec.timeout == nil { spec.timeout = context.configuration.current.jobs.defaultTimeoutSeconds }
        // A job attached to an experiment names its run before it is stored; the run is made once the job is.
        spec = try await context.experiments.prepare(spec)
        let job = try await context.fleet.submit(spec)
        try await context.experiments.attach(job)
        return try APIResponse.json(job, status: .created, location: "/v1/jobs/\(job.id)")
    }

    func list(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var query = JobQuery()
        (query.limit, query.offset) = try request.pageParameters()
        query.statuses = request.listParameter("status").map(JobStatus.init(rawValue:))
        query.runnerID = request.stringParameter("runner_id")
        query.labels = request.listParameter("label")
        return try APIResponse.json(await context.fleet.listJobs(query))
    }

    /// The job, when the caller may see it: a runner token sees only the jobs assigned to its runner.
    func visibleJob(_ request: HTTPRequest) async throws(ServerError) -> Job {
        let job = try await context.fleet.job(request.pathParameter("id"))
        if let principal = request.principal, principal.role == .runner, job.runnerID != principal.runnerID {
            throw ServerError(
                .authorizationFailed, status: 403, "Job '\(job.id)' is not assigned to this runner",
                details: ["job_id": .string(job.id)])
        }
        return job
    }

    func update(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let update = try request.decodeBody(JobUpdate.self)
        if case .unknown(let value) = update.status {
            throw .invalidField("status", "'\(value)' is not one of running, succeeded, failed, cancelled, timed_out")
        }
        if update.status == .queued {
            throw .invalidField("status", "an agent reports running or a final status, never queued")
        }
        let runnerID = request.principal?.role == .runner ? request.principal?.runnerID : nil
        return try APIResponse.json(await context.fleet.updateJob(request.pathParameter("id"), from: runnerID, update))
    }

    func logs(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let job = try await visibleJob(request)
        let lines = try request.integerParameter("lines", in: 1...10_000) ?? 100
        var after = try request.integerParameter("after", in: 0...Int.max)
        guard try request.wantsEventStream() else {
            if let after {
                return try APIResponse.json(await context.logs.page(of: job.id, after: after, limit: Self.maximumLogPage))
            }
            return try APIResponse.json(Page(items: try await context.logs.entries(of: job.id, lines: lines)))
        }
        if let lastEventID = request.headers["Last-Event-ID"].flatMap({ Int($0) }) { after = lastEventID }
        let stream = try await context.logs.follow(job.id, after: after ?? 0, lines: after == nil ? lines : nil)
        // A job already final sends what it has and its end at once; otherwise the end comes when it finishes.
        if try await context.fleet.job(job.id).status.isFinal { await context.logs.finish(job.id) }
        let context = context
        let id = job.id
        return HTTPResponse.serverSentEvents(
            EventStreamBody(
                stream,
                transform: { entry in
                    ServerSentEvent(id: entry.sequence.map(String.init), event: "log", data: APIResponse.compactJSON(entry))
                },
                closing: {
                    guard let job = try? await context.fleet.job(id), job.status.isFinal else { return nil }
                    let last = (try? await context.logs.lastSequence(of: id)) ?? 0
                    let end = LogStreamEnd(jobID: id, status: job.status, exitCode: job.exitCode, lastSequence: last)
                    return ServerSentEvent(event: "end", data: APIResponse.compactJSON(end))
                }))
    }

    func appendLogs(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let batch = try request.decodeBody(LogBatch.self)
        for (index, entry) in batch.entries.enumerated() {
            if let sequence = entry.sequence, sequence < 1 { throw .invalidField("entries[\(index)].seq", "must be at least 1") }
        }
        let job = try await context.fleet.job(request.pathParameter("id"))
        if let principal = request.principal, principal.role == .runner, job.runnerID != principal.runnerID {
            throw ServerError(
                .authorizationFailed, status: 403, "Job '\(job.id)' is not assigned to runner '\(principal.runnerID ?? "?")'",
                details: ["job_id": .string(job.id)])
        }
        // Sequences grow across attempts: a later attempt's lines follow the earlier ones' after a marker line.
        let (result, accepted) = try await context.logs.appendEntries(
            batch.entries, to: job.id, attempt: job.attempt,
            marker: "Attempt \(job.attempt) of \(job.spec.retryCount + 1)" + (job.runnerID.map { " on runner \($0)" } ?? ""))
        for entry in accepted {
            if let payload = try? JSONValue(encoding: entry) { context.events.publish(.jobLog, payload, at: entry.timestamp) }
        }
        return try APIResponse.json(result)
    }
}

/// The data of the `end` event that closes a followed job log.
struct LogStreamEnd: Codable, Sendable {
    var jobID: String
    var status: JobStatus
    var exitCode: Int32?
    var lastSequence: Int

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case status
        case exitCode = "exit_code"
        case lastSequence = "last_sequence"
    }
}
