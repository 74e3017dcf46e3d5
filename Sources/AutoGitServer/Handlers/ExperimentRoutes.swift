import AutoGitCore
import AutoGitHTTP

/// The experiments group: projects, runs (soft delete, restore, purge), metric series and comparison.
///
/// A runner token may create, change and log metrics to a run only when the run's job is assigned to its runner
/// (the ``AccessRule/jobAgent`` rule lets runner tokens in; ``authorizeAgent(_:jobID:)`` checks the job).
struct ExperimentRoutes {
    let context: APIContext

    var experiments: ExperimentTracking { context.experiments }

    /// The most points one metric read answers with (`max_points`), and its default.
    static let maxPointsLimit = 100_000
    static let defaultMaxPoints = 1000
    /// Comparisons align each run's series downsampled to this many points (the last value is always kept).
    static let comparisonPointsPerSeries = 1000

    func register(in routes: inout RouteTable) {
        routes.get("/v1/projects", .read) { request in try await listProjects(request) }
        routes.post("/v1/projects", .write) { request in try await createProject(request) }
        routes.get("/v1/runs", .read) { request in try await listRuns(request) }
        routes.post("/v1/runs", .jobAgent) { request in try await createRun(request) }
        routes.get("/v1/runs/{id}", .read) { request in
            try APIResponse.json(try await experiments.runs.run(request.pathParameter("id")))
        }
        routes.patch("/v1/runs/{id}", .jobAgent) { request in try await updateRun(request) }
        routes.delete("/v1/runs/{id}", .write) { request in try await deleteRun(request) }
        routes.post("/v1/runs/{id}/restore", .write) { request in
            try APIResponse.json(try await experiments.runs.restore(request.pathParameter("id")))
        }
        routes.post("/v1/runs/{id}/metrics", .jobAgent) { request in try await logMetrics(request) }
        routes.get("/v1/runs/{id}/metrics", .read) { request in try await readMetrics(request) }
        routes.post("/v1/experiments/compare", .read) { request in try await compare(request) }
    }

    // MARK: Projects

    func listProjects(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let (limit, offset) = try request.pageParameters()
        return try APIResponse.json(await experiments.runs.listProjects(limit: limit, offset: offset))
    }

    func createProject(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let project = try request.decodeBody(Project.self)
        let created = try await experiments.runs.createProject(named: project.name)
        return try APIResponse.json(created, status: .created, location: "/v1/runs?project=\(created.name)")
    }

    // MARK: Runs

    func listRuns(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        var query = RunQuery()
        (query.limit, query.offset) = try request.pageParameters()
        query.project = request.stringParameter("project")
        if let status = request.stringParameter("status") {
            let parsed = RunStatus(rawValue: status)
            if case .unknown = parsed {
                throw .invalidParameter("status", "must be one of running, finished, failed, crashed, cancelled")
            }
            query.status = parsed
        }
        query.tags = request.listParameter("tag")
        query.includeDeleted = try request.booleanParameter("include_deleted") ?? false
        return try APIResponse.json(await experiments.runs.listRuns(query))
    }

    func createRun(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try request.decodeBody(RunCreateRequest.self)
        if isRunner(request) {
            guard let jobID = body.jobID else {
                throw ServerError(
                    .authorizationFailed, status: 403, "A runner token creates runs only for its own jobs: send job_id",
                    details: ["field": "job_id"])
            }
            try await authorizeAgent(request, jobID: jobID)
        }
        let run = try await experiments.runs.createRun(body)
        return try APIResponse.json(run, status: .created, location: "/v1/runs/\(run.id)")
    }

    func updateRun(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let update = try request.decodeBody(RunUpdate.self)
        let id = request.pathParameter("id")
        if isRunner(request) { try await authorizeAgent(request, jobID: try await experiments.runs.run(id).jobID) }
        return try APIResponse.json(try await experiments.runs.updateRun(id, update))
    }

    func deleteRun(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let id = request.pathParameter("id")
        guard try request.booleanParameter("permanent") == true else {
            return try APIResponse.json(try await experiments.runs.softDelete(id))
        }
        try await experiments.runs.purge(id)
        try await experiments.metrics.removeAll(of: id)
        try await experiments.artifacts.forgetRun(id)
        return APIResponse.noContent()
    }

    // MARK: Metrics

    func logMetrics(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let id = request.pathParameter("id")
        let batch = try request.decodeBody(MetricBatch.self)
        let run = try await experiments.runs.run(id)
        if isRunner(request) { try await authorizeAgent(request, jobID: run.jobID) }
        for (index, point) in batch.points.enumerated() {
            if point.key.isEmpty || point.key.utf8.count > MetricStore.maximumKeyLength
                || point.key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            {
                throw .invalidField("points[\(index)].key", "must be 1-\(MetricStore.maximumKeyLength) bytes without control characters")
            }
            if point.step < 0 { throw .invalidField("points[\(index)].step", "must be at least 0") }
            if !point.value.isFinite { throw .invalidField("points[\(index)].value", "must be a finite number") }
        }
        try await experiments.metrics.append(batch.points, to: run.id)
        return APIResponse.noContent()
    }

    func readMetrics(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let run = try await experiments.runs.run(request.pathParameter("id"))
        guard let key = request.queryValue("key"), !key.isEmpty else {
            throw .invalidParameter("key", "name the metric to read (?key=loss)")
        }
        let sinceStep = try request.integerParameter("since_step", in: 0...Int.max)
        let maxPoints = try request.integerParameter("max_points", in: 2...Self.maxPointsLimit) ?? Self.defaultMaxPoints
        return try APIResponse.json(
            try await experiments.metrics.series(of: run.id, key: key, sinceStep: sinceStep, maxPoints: maxPoints))
    }

    // MARK: Comparison

    func compare(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let comparison = try request.decodeBody(ComparisonRequest.self)
        guard !comparison.runIDs.isEmpty else { throw .invalidField("run_ids", "name at least one run") }
        if case .unknown(let mode) = comparison.mode { throw .invalidField("mode", "'\(mode)' is not min or max") }
        var runs: [ExperimentRun] = []
        for id in comparison.runIDs { runs.append(try await experiments.runs.run(id)) }
        var series: [String: [String: [MetricPoint]]] = [:]
        let keys = comparison.keys.map { Set($0).union(comparison.metric.map { [$0] } ?? []) }.map { Array($0).sorted() }
        for run in runs where series[run.id] == nil {
            let all = try await experiments.metrics.allSeries(of: run.id, keys: keys)
            series[run.id] = all.mapValues { MetricDownsampler.downsample($0, maxPoints: Self.comparisonPointsPerSeries) }
        }
        return try APIResponse.json(Comparison(runs: runs, series: series, request: comparison))
    }

    // MARK: Authorization

    private func isRunner(_ request: HTTPRequest) -> Bool {
        request.principal?.role == .runner
    }

    /// A runner token reaches a run only through a job assigned to its runner.
    func authorizeAgent(_ request: HTTPRequest, jobID: String?) async throws(ServerError) {
        guard let principal = request.principal, principal.role == .runner else { return }
        guard let jobID, let job = try? await context.fleet.job(jobID), job.runnerID != nil, job.runnerID == principal.runnerID
        else {
            throw ServerError(
                .authorizationFailed, status: 403,
                "A runner token reaches only the runs of jobs assigned to its runner ('\(principal.runnerID ?? "?")')",
                details: jobID.map { ["job_id": .string($0)] })
        }
    }
}
