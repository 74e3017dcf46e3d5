import AutoGitCore
import AutoGitHTTP
import Foundation

/// The runners group: listing, provisioning, registration of agents, one runner's state, configuration and
/// lifecycle, bulk operations, and the agent's own endpoints (heartbeat, the job long poll).
struct RunnerRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/runners", .read) { request in try await list(request) }
        routes.post("/v1/runners", .write) { request in try await provision(request) }
        routes.post("/v1/runners/register", .registration) { request in try await registerAgent(request) }
        routes.post("/v1/runners/bulk", .write) { request in try await bulk(request) }
        routes.get("/v1/runners/{id}", .runnerRead) { request in
            try APIResponse.json(await context.fleet.runner(request.pathParameter("id")))
        }
        routes.put("/v1/runners/{id}", .write) { request in try await update(request) }
        // Operators and admins; an agent signing off removes its own runner too.
        routes.delete("/v1/runners/{id}", .runnerAgent) { request in try await delete(request) }
        routes.get("/v1/runners/{id}/status", .runnerRead) { request in
            try APIResponse.json(await context.fleet.statusReport(request.pathParameter("id")))
        }
        routes.get("/v1/runners/{id}/health", .runnerRead) { request in
            try APIResponse.json(await context.fleet.health(request.pathParameter("id")))
        }
        routes.get("/v1/runners/{id}/metrics", .runnerRead) { request in try await metrics(request) }
        routes.get("/v1/runners/{id}/config", .runnerRead) { request in
            try APIResponse.json(await context.fleet.configuration(request.pathParameter("id")))
        }
        routes.put("/v1/runners/{id}/config", .write) { request in try await configure(request) }
        routes.post("/v1/runners/{id}/start", .write) { request in try await perform(.start, request) }
        routes.post("/v1/runners/{id}/stop", .write) { request in try await perform(.stop, request) }
        routes.post("/v1/runners/{id}/restart", .write) { request in try await perform(.restart, request) }
        routes.post("/v1/runners/{id}/heartbeat", .runnerAgent) { request in try await heartbeat(request) }
        routes.post("/v1/runners/{id}/jobs/request", .runnerAgent) { request in try await requestJob(request) }
        routes.get("/v1/runners/{id}/logs", .runnerRead) { request in try await logs(request) }
        routes.get("/v1/runners/{id}/jobs", .runnerRead) { request in try await jobs(request) }
        routes.post("/v1/runners/{id}/jobs", .write) { request in try await submitJob(request) }
    }

    func list(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var query = RunnerQuery()
        (query.limit, query.offset) = try request.pageParameters()
        query.status = request.stringParameter("status").map(RunnerStatus.init(rawValue:))
        query.type = request.stringParameter("type").map(RunnerType.init(rawValue:))
        query.tags = request.listParameter("tags")
        query.labels = request.listParameter("labels")
        query.provider = request.stringParameter("provider")
        return try APIResponse.json(await context.fleet.listRunners(query))
    }

    /// Provisions runners through a fleeting provider (the named one, or the cheapest that fits): 202 with their
    /// records in status `provisioning`, which their agents take over when they register.
    func provision(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try request.decodeBody(RunnerProvisionRequest.self)
        if let count = body.count, count < 1 || count > 1000 { throw .invalidField("count", "must be between 1 and 1000") }
        if let gpus = body.gpuCount, gpus < 0 || gpus > 64 { throw .invalidField("gpu_count", "must be between 0 and 64") }
        if case .unknown(let value) = body.architecture {
            throw .invalidField("architecture", "'\(value)' is not a known architecture (amd64, arm64, ppc64le, s390x, riscv64)")
        }
        let providers = context.configuration.current.providers
        if let name = body.provider, !providers.contains(where: { $0.name == name }) {
            throw ServerError(.providerNotFound, status: 404, "Provider '\(name)' is not configured", details: ["provider": .string(name)])
        }
        guard !providers.isEmpty else {
            throw ServerError(
                .resourceUnavailable, status: 409, "No fleeting provider is configured: add one under 'providers' in the configuration")
        }
        let runners = try await context.provisioning.provision(body)
        return try APIResponse.json(Page(items: runners), status: .accepted)
    }

    func registerAgent(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var registration = try request.decodeBody(RunnerRegistration.self)
        let name = registration.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 128 else { throw .invalidField("name", "must be 1 to 128 characters") }
        registration.name = name
        var seen = Set<Int>()
        for (position, gpu) in registration.gpus.enumerated() where gpu.index < 0 || !seen.insert(gpu.index).inserted {
            throw .invalidField("gpus[\(position)].index", "must be a non-negative index, unique on the runner")
        }
        if let maximum = registration.maxConcurrentJobs, maximum < 1 || maximum > 1024 {
            throw .invalidField("max_concurrent_jobs", "must be between 1 and 1024")
        }
        if registration.maxConcurrentJobs == nil {
            registration.maxConcurrentJobs = context.configuration.current.runners.defaultMaxConcurrentJobs
        }
        // An agent a provider started takes over the runner record made for its instance.
        let runner = try await context.fleet.register(registration)
        // Taking a runner over gives it a new token; the old one stops working.
        try await context.tokens.revokeTokens(ofRunner: runner.id)
        let token = try await context.tokens.create(name: "runner \(runner.name)", role: .runner, runnerID: runner.id)
        let result = RunnerRegistrationResult(
            runnerID: runner.id, token: token.token ?? "", message: "Runner '\(runner.name)' registered", runner: runner)
        return try APIResponse.json(result, status: .created, location: "/v1/runners/\(runner.id)")
    }

    func bulk(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let operation = try request.decodeBody(BulkOperation.self)
        let result = try await context.fleet.bulk(operation)
        for item in result.results where item.success && operation.operation == .delete {
            try await context.tokens.revokeTokens(ofRunner: item.runnerID)
        }
        return try APIResponse.json(result)
    }

    func update(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let update = try request.decodeBody(RunnerUpdate.self)
        return try APIResponse.json(await context.fleet.updateRunner(request.pathParameter("id"), update))
    }

    func delete(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let id = request.pathParameter("id")
        let force = try request.booleanParameter("force") ?? false
        if request.principal?.role == .runner {
            // An agent signing off: a runner a provider made is the provider's to remove with its instance (which is
            // what is stopping the agent, or will be once it is seen idle or gone).
            let runner = try await context.fleet.runner(id)
            if let provider = runner.provider, context.configuration.current.providers.contains(where: { $0.name == provider }) {
                throw ServerError(
                    .conflict, status: 409,
                    "Runner '\(id)' was made by provider '\(provider)'; the provider removes it with its instance",
                    details: ["runner_id": .string(id), "provider": .string(provider)])
            }
            guard !force else {
                throw ServerError(
                    .authorizationFailed, status: 403, "A runner's own token cannot force its removal; an operator or admin can",
                    details: ["runner_id": .string(id)])
            }
        }
        // A runner a provider created is drained and its instance deprovisioned.
        if let result = try await context.provisioning.removeRunner(id, force: force) { return try APIResponse.json(result) }
        let result = try await context.fleet.deleteRunner(id, force: force)
        try await context.tokens.revokeTokens(ofRunner: id)
        return try APIResponse.json(result)
    }

    func metrics(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let period = request.stringParameter("period") ?? "1h"
        let resolution = request.stringParameter("resolution") ?? "1m"
        guard Self.isDuration(period, units: "mhd") else {
            throw .invalidParameter("period", "must be a number and a unit m, h or d, such as 1h or 7d")
        }
        guard Self.isDuration(resolution, units: "smh") else {
            throw .invalidParameter("resolution", "must be a number and a unit s, m or h, such as 1m or 5m")
        }
        return try APIResponse.json(await context.fleet.metrics(request.pathParameter("id"), period: period, resolution: resolution))
    }

    static func isDuration(_ text: String, units: String) -> Bool {
        guard let unit = text.last, units.contains(unit), let number = Int(text.dropLast()), number > 0 else { return false }
        return text.first != "0" && text.first != "+"
    }

    func configure(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let configuration = try request.decodeBody(RunnerConfiguration.self)
        if case .unknown(let value) = configuration.cleanupPolicy {
            throw .invalidField("cleanup_policy", "'\(value)' is not one of always, on_success, never")
        }
        let id = request.pathParameter("id")
        _ = try await context.fleet.updateConfiguration(id, configuration)
        return try APIResponse.json(
            ActionResult(
                success: true, message: "Configuration of runner '\(id)' updated; the agent applies it with its next heartbeat",
                restartRequired: false))
    }

    func perform(_ action: RunnerAction, _ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let stop = try request.decodeBody(RunnerStopRequest.self, empty: RunnerStopRequest())
        if let timeout = stop.timeout, timeout < 0 { throw .invalidField("timeout", "must not be negative") }
        return try APIResponse.json(await context.fleet.perform(action, on: request.pathParameter("id"), stop: stop))
    }

    func heartbeat(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let heartbeat = try request.decodeBody(Heartbeat.self, empty: Heartbeat())
        return try APIResponse.json(await context.fleet.heartbeat(request.pathParameter("id"), heartbeat))
    }

    /// The long poll: a job at once when one is (or becomes) available within `wait` seconds, else 204.
    ///
    /// A client that hangs up (an agent that drains, or is gone) ends the poll, so the engine stops offering its
    /// runner work and nothing is handed to a connection no one reads.
    func requestJob(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let wait = try request.integerParameter("wait", in: 0...Int.max) ?? 30
        let fleet = context.fleet
        let id = request.pathParameter("id")
        let poll = Task { () async -> Result<Job?, ServerError> in
            do throws(ServerError) {
                return .success(try await fleet.requestJob(for: id, wait: Double(wait)))
            } catch {
                return .failure(error)
            }
        }
        let hangUp = request.clientHangUp
        let watcher = Task {
            await hangUp.wait()
            if hangUp.hasHappened { poll.cancel() }
        }
        defer { watcher.cancel() }
        let result = await withTaskCancellationHandler {
            await poll.value
        } onCancel: {
            poll.cancel()
        }
        guard let job = try result.get() else { return APIResponse.noContent() }
        return try APIResponse.json(job)
    }

    func logs(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let id = request.pathParameter("id")
        let lines = try request.integerParameter("lines", in: 1...10_000) ?? 100
        let level = request.stringParameter("level").map(LogLevel.init(rawValue:))
        if case .unknown(let value) = level { throw .invalidParameter("level", "'\(value)' is not one of debug, info, warn, error") }
        let since = try request.dateParameter("since")
        guard try request.wantsEventStream() else {
            let entries = try await context.fleet.runnerLog(id, lines: lines, level: level, since: since)
            return try APIResponse.json(Page(items: entries))
        }
        let after = request.headers["Last-Event-ID"].flatMap { Int($0) }
        let stream = try await context.fleet.followRunnerLog(id, lines: lines, level: level, since: since, after: after)
        return HTTPResponse.serverSentEvents(
            EventStreamBody(stream) { entry in
                ServerSentEvent(id: entry.sequence.map(String.init), event: "log", data: APIResponse.compactJSON(entry))
            })
    }

    func jobs(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let id = request.pathParameter("id")
        _ = try await context.fleet.runner(id)
        var query = JobQuery()
        (query.limit, query.offset) = try request.pageParameters()
        query.runnerID = id
        query.statuses = request.listParameter("status").map(JobStatus.init(rawValue:))
        return try APIResponse.json(await context.fleet.listJobs(query))
    }

    func submitJob(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var spec = try request.decodeBody(JobSpec.self)
        let id = request.pathParameter("id")
        _ = try await context.fleet.runner(id)
        spec.requirements.runnerID = id
        return try await JobRoutes(context: context).submit(spec)
    }
}
