import AutoGitCore
import Foundation

/// Reads a Runicorn viewer's API (`/api/…`, as served by `runicorn viewer`; checked against 0.7.2) into AutoGit's
/// experiment models, so `client.experiments` works against it.
///
/// The mapping:
/// - A run's `path` (`vision/resnet`) gives its project (the first segment, `vision`) and, without an `alias`, its
///   name (the rest, `resnet`; the id when the path has one segment). Runicorn's statuses (`running`, `finished`,
///   `failed`, `interrupted`) map to ``RunStatus`` (`interrupted` is `cancelled`). `created_time` (Unix seconds) is
///   `created_at`; the list's `best_metric_name`/`best_metric_value` go into the summary.
/// - A run's details add `assets.config` as params (the members of `extra` and `args`, and any other key as it is)
///   and `summary.json` as the summary.
/// - Projects are `GET /api/projects`, with run counts from the run list.
/// - Step metrics are the `metrics_step` table: each row with a number under the key is a point at `global_step`,
///   stamped with the row's `time`. Since-step and downsampling (min/max per bucket) happen here, as the server does.
/// - Listing, filters (project, status, tags) and pages happen here too: the viewer returns every run at once.
///   Trashed runs come from `GET /api/recycle-bin`.
/// - Comparison is built here from the runs and their metrics. Renaming (as the alias) and re-tagging a run, moving
///   it to the trash, restoring and purging it use the viewer's own calls. Everything else the viewer does not offer
///   (creating projects and runs, logging metrics, changing status, params or summary, artifacts) throws
///   `NOT_SUPPORTED`.
struct RunicornAdapter: Sendable {
    let client: AutoGitClient

    /// `/api/<segments>` below the base URL, or `/<segments>` when the base URL already ends in `/api`.
    static func path(base: URL, _ segments: String...) -> Path {
        var path = Path()
        let trimmed = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        if !trimmed.hasSuffix("/api") { path.encoded = "/api" }
        for segment in segments { path.encoded += "/" + Path.escape(segment) }
        return path
    }

    private func path(_ segments: String...) -> Path {
        var path = Self.path(base: client.baseURL)
        for segment in segments { path.encoded += "/" + Path.escape(segment) }
        return path
    }

    /// `NOT_SUPPORTED`: the viewer has no such call.
    static func unsupported(_ operation: String) -> AutoGitError {
        AutoGitError(
            kind: .invalidRequest, code: .notSupported,
            message:
                "\(operation) is not supported by this server (a Runicorn viewer: experiment runs can be read, renamed, re-tagged, deleted and restored)"
        )
    }

    // MARK: Projects

    func projectsPage(limit: Int, offset: Int) async throws(AutoGitError) -> Page<Project> {
        let listed: JSONValue = try await client.decode(APIRequest("GET", path("projects")))
        let names = listed["projects"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let runs = try await allRuns(includeDeleted: false)
        var projects: [String: Project] = [:]
        for name in names { projects[name] = Project(name: name) }
        for run in runs {
            var project = projects[run.project] ?? Project(name: run.project)
            project.runCount += 1
            project.createdAt = min(project.createdAt ?? run.createdAt, run.createdAt)
            project.updatedAt = max(project.updatedAt ?? run.createdAt, run.createdAt)
            projects[run.project] = project
        }
        return Self.page(projects.values.sorted { $0.name < $1.name }, limit: limit, offset: offset)
    }

    // MARK: Runs

    func runsPage(
        project: String?, status: RunStatus?, tags: [String], includeDeleted: Bool, limit: Int, offset: Int
    ) async throws(AutoGitError) -> Page<ExperimentRun> {
        let matching = try await allRuns(includeDeleted: includeDeleted).filter { run in
            (project == nil || run.project == project) && (status == nil || run.status == status) && tags.allSatisfy(run.tags.contains)
        }
        return Self.page(matching, limit: limit, offset: offset)
    }

    /// Every run, newest first; trashed ones too when asked.
    func allRuns(includeDeleted: Bool) async throws(AutoGitError) -> [ExperimentRun] {
        let listed: [RunicornRunSummary] = try await client.decode(APIRequest("GET", path("runs")))
        var runs = listed.map(Self.run(from:))
        if includeDeleted { runs += try await trashedRuns() }
        return runs.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    private func trashedRuns() async throws(AutoGitError) -> [ExperimentRun] {
        let bin: JSONValue = try await client.decode(APIRequest("GET", path("recycle-bin")))
        let data = (try? AutoGitJSON.encoder().encode(bin["deleted_runs"] ?? .array([]))) ?? Data("[]".utf8)
        let deleted = (try? AutoGitJSON.decode([RunicornRunSummary].self, from: data)) ?? []
        return deleted.map(Self.run(from:))
    }

    func run(_ id: String) async throws(AutoGitError) -> ExperimentRun {
        let detail: RunicornRunDetail
        do {
            detail = try await client.decode(APIRequest("GET", path("runs", id)))
        } catch  where error.status == 404 || error.status == 400 {
            // A run in the trash is not served by id, but is still a run.
            if let trashed = try await trashedRuns().first(where: { $0.id == id }) { return trashed }
            throw Self.notFound(id)
        }
        let listed = try await client.decode(APIRequest("GET", path("runs")), as: [RunicornRunSummary].self).first { $0.id == id }
        var run = listed.map(Self.run(from:)) ?? Self.run(from: detail.id, path: detail.path, alias: detail.alias)
        run.status = RunStatus(rawValue: detail.status ?? run.status.rawValue)
        if let start = detail.startTime, listed?.createdTime == nil { run.createdAt = Date(timeIntervalSince1970: start) }
        if let start = detail.startTime, let duration = detail.duration, run.status != .running {
            run.updatedAt = Date(timeIntervalSince1970: start + duration)
        }
        run.params = Self.params(from: detail.assets?["config"])
        if let summary = detail.summary { run.summary.merge(summary) { _, new in new } }
        return run
    }

    func updateRun(_ id: String, _ update: RunUpdate) async throws(AutoGitError) -> ExperimentRun {
        guard update.status == nil, update.params == nil, update.summary == nil else {
            throw Self.unsupported("Changing a run's status, params or summary")
        }
        var body: [String: JSONValue] = [:]
        if let name = update.name { body["alias"] = .string(name) }
        if let tags = update.tags { body["tags"] = .array(tags.map(JSONValue.string)) }
        if !body.isEmpty {
            do {
                try await client.perform(APIRequest("PATCH", path("runs", id), json: JSONValue.object(body)))
            } catch  where error.status == 404 {
                throw Self.notFound(id)
            }
        }
        return try await run(id)
    }

    func deleteRun(_ id: String, permanent: Bool) async throws(AutoGitError) -> ExperimentRun? {
        if permanent {
            _ = try await run(id)
            try await client.perform(APIRequest("DELETE", path("runs", id, "permanent")))
            return nil
        }
        try await batch("runs", "soft-delete", id: id, alreadyDone: "already deleted")
        return try await run(id)
    }

    func restoreRun(_ id: String) async throws(AutoGitError) -> ExperimentRun {
        try await batch("recycle-bin", "restore", id: id, alreadyDone: nil)
        return try await run(id)
    }

    /// A soft delete or restore of one run, its outcome turned into AutoGit's errors.
    private func batch(_ segments: String..., id: String, alreadyDone: String?) async throws(AutoGitError) {
        let body: JSONValue = ["run_ids": .array([.string(id)])]
        var request = try APIRequest("POST", Path(), json: body)
        request.path = path().encoded + segments.map { "/" + Path.escape($0) }.joined()
        let result: RunicornBatchResult
        do {
            result = try await client.decode(request)
        } catch  where error.status == 400 {
            throw Self.notFound(id)
        }
        guard let outcome = result.results[id], !outcome.success else { return }
        if let alreadyDone, outcome.error == alreadyDone { return }
        if outcome.error == "run not found" { throw Self.notFound(id) }
        throw AutoGitError(
            kind: .server, code: .conflict, message: "Run '\(id)': \(outcome.error ?? "refused by the server")", status: 409,
            details: ["run_id": .string(id)])
    }

    // MARK: Metrics

    func metrics(_ runID: String, key: String, sinceStep: Int?, maxPoints: Int?) async throws(AutoGitError) -> RunMetricSeries {
        var points = try await series(of: runID)[key] ?? []
        if let sinceStep { points.removeAll { $0.step < sinceStep } }
        let total = points.count
        guard let maxPoints, total > maxPoints else {
            return RunMetricSeries(runID: runID, key: key, points: points, totalPoints: total)
        }
        return RunMetricSeries(
            runID: runID, key: key, points: MetricDownsampler.downsample(points, maxPoints: maxPoints), totalPoints: total,
            downsampled: true)
    }

    /// Every numeric series of a run, by key, in step order.
    func series(of runID: String) async throws(AutoGitError) -> [String: [MetricPoint]] {
        let table: RunicornMetricTable
        do {
            table = try await client.decode(APIRequest("GET", path("runs", runID, "metrics_step")))
        } catch  where error.status == 404 || error.status == 400 {
            throw Self.notFound(runID)
        }
        var byStep: [String: [Int: MetricPoint]] = [:]
        for (index, row) in table.rows.enumerated() {
            let step = (row["global_step"]?.doubleValue ?? row["step"]?.doubleValue).map { Int($0) } ?? index
            let time = row["time"]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
            for (key, value) in row where !["global_step", "step", "time", "stage"].contains(key) {
                guard case .number(let number) = value, number.isFinite else { continue }
                byStep[key, default: [:]][step] = MetricPoint(key: key, step: step, value: number, timestamp: time)
            }
        }
        return byStep.mapValues { $0.values.sorted { $0.step < $1.step } }
    }

    func compare(_ request: ComparisonRequest) async throws(AutoGitError) -> Comparison {
        var runs: [ExperimentRun] = []
        var series: [String: [String: [MetricPoint]]] = [:]
        for id in request.runIDs {
            runs.append(try await run(id))
            var all = try await self.series(of: id)
            if let keys = request.keys { all = all.filter { keys.contains($0.key) || $0.key == request.metric } }
            series[id] = all.mapValues { MetricDownsampler.downsample($0, maxPoints: 1000) }
        }
        return Comparison(runs: runs, series: series, request: request)
    }

    // MARK: Mapping

    static func run(from summary: RunicornRunSummary) -> ExperimentRun {
        var run = run(from: summary.id, path: summary.path, alias: summary.alias)
        run.status = RunStatus(rawValue: summary.status ?? summary.originalStatus ?? "finished")
        run.tags = summary.tags ?? []
        run.createdAt = Date(timeIntervalSince1970: summary.createdTime ?? 0)
        run.deletedAt = summary.deletedAt.map { Date(timeIntervalSince1970: $0) }
        if let name = summary.bestMetricName { run.summary["best_metric_name"] = .string(name) }
        if let value = summary.bestMetricValue { run.summary["best_metric_value"] = .number(value) }
        return run
    }

    static func run(from id: String, path: String?, alias: String?) -> ExperimentRun {
        let segments = (path ?? "").split(separator: "/").map(String.init)
        let project = segments.first ?? "default"
        let rest = segments.dropFirst().joined(separator: "/")
        let name = alias.flatMap { $0.isEmpty ? nil : $0 } ?? (rest.isEmpty ? id : rest)
        return ExperimentRun(id: id, project: project, name: name, status: .finished, createdAt: Date(timeIntervalSince1970: 0))
    }

    /// `assets.config`: the members of `extra` and `args` flattened, anything else kept under its key.
    static func params(from config: JSONValue?) -> [String: JSONValue] {
        guard case .object(let object)? = config else { return [:] }
        var params: [String: JSONValue] = [:]
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if ["extra", "args"].contains(key), case .object(let members) = value {
                params.merge(members) { _, new in new }
            } else if value != .null {
                params[key] = value
            }
        }
        return params
    }

    static func notFound(_ id: String) -> AutoGitError {
        AutoGitError(
            kind: .server, code: .runNotFound, message: "Run '\(id)' not found", status: 404, details: ["run_id": .string(id)])
    }

    static func page<Item: Codable & Sendable>(_ items: [Item], limit: Int, offset: Int) -> Page<Item> {
        let start = min(max(0, offset), items.count)
        let end = min(items.count, start + max(0, limit))
        return Page(items: Array(items[start..<end]), totalCount: items.count, hasMore: end < items.count, limit: limit, offset: offset)
    }
}
