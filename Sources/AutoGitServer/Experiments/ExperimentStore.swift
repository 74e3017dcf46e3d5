import AutoGitCore
import Foundation

/// Filters of `GET /v1/runs`; the newest runs come first.
struct RunQuery: Sendable {
    var project: String?
    var status: RunStatus?
    /// Runs carrying every one of these tags.
    var tags: [String] = []
    var includeDeleted = false
    var jobID: String?
    var limit = 50
    var offset = 0

    func matches(_ run: ExperimentRun) -> Bool {
        if run.isDeleted && !includeDeleted { return false }
        if let project, run.project != project { return false }
        if let status, run.status != status { return false }
        if let jobID, run.jobID != jobID { return false }
        return tags.allSatisfy(run.tags.contains)
    }
}

/// Projects and experiment runs, kept in the ``DurableStore`` (collections `experiment-projects` and
/// `experiment-runs`): every change is durable before the method returns.
///
/// Runs are soft-deleted (``ExperimentRun/deletedAt`` set, restorable) until purged; purging also removes the run's
/// metric series from the ``MetricStore``.
actor ExperimentStore {
    enum Collection {
        static let projects = "experiment-projects"
        static let runs = "experiment-runs"
    }

    private let store: DurableStore
    private let now: @Sendable () -> Date
    private var projects: [String: Project]
    private var runs: [String: ExperimentRun]
    /// Ids chosen for jobs' runs that are not created yet.
    private var reservedIDs: Set<String> = []
    /// Run ids by the job they report to, so a job's status change finds its runs without a scan.
    private var runsByJob: [String: Set<String>] = [:]

    init(store: DurableStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
        projects = store.decodedValues(in: Collection.projects, as: Project.self)
        runs = store.decodedValues(in: Collection.runs, as: ExperimentRun.self)
        for run in runs.values { if let jobID = run.jobID { runsByJob[jobID, default: []].insert(run.id) } }
    }

    // MARK: Projects

    /// Projects by name, with the number of runs not in the trash.
    func listProjects(limit: Int, offset: Int) -> Page<Project> {
        let counts = runCounts()
        var all = projects
        // Runs made before their project was recorded (or by an older server) still show their project.
        for name in counts.keys where all[name] == nil { all[name] = Project(name: name) }
        let sorted = all.values.sorted { $0.name < $1.name }.map { project in
            var project = project
            project.runCount = counts[project.name] ?? 0
            return project
        }
        return ExperimentPaging.page(sorted, limit: limit, offset: offset)
    }

    /// Creates an empty project; 409 when the name is taken.
    func createProject(named name: String) async throws(ServerError) -> Project {
        try Self.validateProjectName(name, field: "name")
        guard projects[name] == nil else {
            throw ServerError(.conflict, status: 409, "Project '\(name)' already exists", details: ["project": .string(name)])
        }
        let date = now()
        let project = Project(name: name, runCount: 0, createdAt: date, updatedAt: date)
        projects[name] = project
        try await store.commit(try change(for: project))
        return project
    }

    // MARK: Runs

    func listRuns(_ query: RunQuery) -> Page<ExperimentRun> {
        let matching = runs.values.filter(query.matches).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        return ExperimentPaging.page(matching, limit: query.limit, offset: query.offset)
    }

    /// The run with `id`, deleted or not, or 404 `RUN_NOT_FOUND`.
    func run(_ id: String) throws(ServerError) -> ExperimentRun {
        guard let run = runs[id] else { throw Self.notFound(id) }
        return run
    }

    /// The run with `id`, or nil.
    func existingRun(_ id: String) -> ExperimentRun? { runs[id] }

    /// The live runs a job reports to.
    func runs(ofJob jobID: String) -> [ExperimentRun] {
        (runsByJob[jobID] ?? []).compactMap { runs[$0] }.filter { $0.jobID == jobID && !$0.isDeleted }
            .sorted { $0.createdAt < $1.createdAt }
    }

    /// Runs that are still `running` and belong to a job: what the job tracker checks at start.
    func runningJobRuns() -> [ExperimentRun] {
        runs.values.filter { $0.jobID != nil && $0.status == .running && !$0.isDeleted }
    }

    /// Starts tracking a run (status `running`), creating its project when needed. `id` is used when given (a run
    /// made for a job, whose id was chosen when the job was submitted).
    func createRun(_ request: RunCreateRequest, id: String? = nil) async throws(ServerError) -> ExperimentRun {
        try Self.validateProjectName(request.project, field: "project")
        if let name = request.name { try Self.validateRunName(name, field: "name") }
        try Self.validateTags(request.tags, field: "tags")
        let runID = id ?? newRunID()
        if runs[runID] != nil {
            throw ServerError(.conflict, status: 409, "Run '\(runID)' already exists", details: ["run_id": .string(runID)])
        }
        let date = now()
        let run = ExperimentRun(
            id: runID, project: request.project, name: request.name ?? runID, status: .running, params: request.params,
            tags: request.tags, jobID: request.jobID, createdAt: date, updatedAt: date)
        var changes = [try change(for: run)]
        index(run, replacing: nil)
        runs[runID] = run
        reservedIDs.remove(runID)
        if projects[request.project] == nil {
            let project = Project(name: request.project, createdAt: date, updatedAt: date)
            projects[request.project] = project
            changes.append(try change(for: project))
        }
        try await store.commit(changes)
        return run
    }

    /// Applies `update`: name, status and tags replaced, params and summary merged key by key.
    func updateRun(_ id: String, _ update: RunUpdate) async throws(ServerError) -> ExperimentRun {
        var run = try run(id)
        if let name = update.name {
            try Self.validateRunName(name, field: "name")
            run.name = name
        }
        if let status = update.status {
            if case .unknown(let value) = status {
                throw .invalidField("status", "'\(value)' is not one of running, finished, failed, crashed, cancelled")
            }
            run.status = status
        }
        if let tags = update.tags {
            try Self.validateTags(tags, field: "tags")
            run.tags = tags
        }
        if let params = update.params { run.params.merge(params) { _, new in new } }
        if let summary = update.summary { run.summary.merge(summary) { _, new in new } }
        return try await save(run)
    }

    /// Changes a run with `change` and stores it (for the job tracker: status, cost, the job link).
    func modifyRun(_ id: String, _ change: (inout ExperimentRun) -> Void) async throws(ServerError) -> ExperimentRun {
        var run = try run(id)
        change(&run)
        return try await save(run)
    }

    /// Moves the run to the trash (already there: unchanged) and returns it.
    func softDelete(_ id: String) async throws(ServerError) -> ExperimentRun {
        var run = try run(id)
        guard run.deletedAt == nil else { return run }
        run.deletedAt = now()
        return try await save(run)
    }

    /// Takes the run out of the trash; 409 when it is not there.
    func restore(_ id: String) async throws(ServerError) -> ExperimentRun {
        var run = try run(id)
        guard run.deletedAt != nil else {
            throw ServerError(.conflict, status: 409, "Run '\(id)' is not deleted", details: ["run_id": .string(id)])
        }
        run.deletedAt = nil
        return try await save(run)
    }

    /// Removes the run for good (its metrics are the caller's to remove).
    func purge(_ id: String) async throws(ServerError) {
        let run = try run(id)
        if let jobID = run.jobID { runsByJob[jobID]?.remove(id) }
        runs[id] = nil
        try await store.commit(.delete(Collection.runs, id))
    }

    // MARK: Helpers

    private func save(_ run: ExperimentRun) async throws(ServerError) -> ExperimentRun {
        var run = run
        run.updatedAt = now()
        index(run, replacing: runs[run.id])
        runs[run.id] = run
        try await store.commit(try change(for: run))
        return run
    }

    private func index(_ run: ExperimentRun, replacing old: ExperimentRun?) {
        if let previous = old?.jobID, previous != run.jobID { runsByJob[previous]?.remove(run.id) }
        if let jobID = run.jobID { runsByJob[jobID, default: []].insert(run.id) }
    }

    private func runCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for run in runs.values where !run.isDeleted { counts[run.project, default: 0] += 1 }
        return counts
    }

    private func change(for run: ExperimentRun) throws(ServerError) -> StoreChange {
        do {
            return try StoreChange.put(Collection.runs, run.id, run)
        } catch {
            throw ServerError(.internalError, status: 500, "Could not encode run '\(run.id)'")
        }
    }

    private func change(for project: Project) throws(ServerError) -> StoreChange {
        do {
            return try StoreChange.put(Collection.projects, project.name, project)
        } catch {
            throw ServerError(.internalError, status: 500, "Could not encode project '\(project.name)'")
        }
    }

    /// `20240115_103000_a1b2c3`: UTC time and six random hex digits, the format Runicorn uses too.
    func newRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let random: UInt32 = generator.next()
            let hex = String(random & 0xFF_FFFF, radix: 16)
            let id = Self.timestamp(now()) + "_" + String(repeating: "0", count: 6 - hex.count) + hex
            if runs[id] == nil && !reservedIDs.contains(id) { return id }
        }
    }

    /// A new run id that no other run or reservation takes until a run is created with it.
    func reserveRunID() -> String {
        let id = newRunID()
        reservedIDs.insert(id)
        return id
    }

    private static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02d_%02d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0)
    }

    static func notFound(_ id: String) -> ServerError {
        ServerError(.runNotFound, status: 404, "Run '\(id)' not found", details: ["run_id": .string(id)])
    }

    static func validateProjectName(_ name: String, field: String) throws(ServerError) {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 128,
            isNameCharacter(first) && first != "." && first != "_" && first != "-",
            name.unicodeScalars.allSatisfy(isNameCharacter)
        else {
            throw .invalidField(field, "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    static func validateRunName(_ name: String, field: String) throws(ServerError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .invalidField(field, "must not be empty") }
        if name.count > 256 { throw .invalidField(field, "must be at most 256 characters") }
    }

    static func validateTags(_ tags: [String], field: String) throws(ServerError) {
        for (index, tag) in tags.enumerated() where tag.trimmingCharacters(in: .whitespaces).isEmpty || tag.count > 128 {
            throw .invalidField("\(field)[\(index)]", "must be 1-128 characters")
        }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
    }
}

/// Slices a sorted list into the API's page.
enum ExperimentPaging {
    static func page<Item: Codable & Sendable>(_ items: [Item], limit: Int, offset: Int) -> Page<Item> {
        let start = min(max(0, offset), items.count)
        let end = min(items.count, start + max(0, limit))
        return Page(items: Array(items[start..<end]), totalCount: items.count, hasMore: end < items.count, limit: limit, offset: offset)
    }
}
