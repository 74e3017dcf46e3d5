import AutoGitCore
import Foundation

/// Filters of `GET /v1/runners`. Empty filters match everything; tags and labels must all be present.
public struct RunnerQuery: Sendable {
    public var status: RunnerStatus?
    public var type: RunnerType?
    public var tags: [String] = []
    public var labels: [String] = []
    /// Only runners created by this fleeting provider.
    public var provider: String?
    public var limit = 50
    public var offset = 0

    public init() {}

    func matches(_ runner: Runner) -> Bool {
        if let status, runner.status != status { return false }
        if let type, runner.type != type { return false }
        if let provider, runner.provider != provider { return false }
        if !tags.allSatisfy(runner.tags.contains) { return false }
        return labels.allSatisfy(runner.labels.contains)
    }
}

/// What `start`, `stop` and `restart` ask of a runner.
public enum RunnerAction: String, Sendable {
    case start, stop, restart
}

extension Fleet {
    static func newID(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The runner with `id`, or a 404 `RUNNER_NOT_FOUND`.
    public func runner(_ id: String) throws(ServerError) -> Runner {
        guard let runner = runners[id] else {
            throw ServerError(.runnerNotFound, status: 404, "Runner '\(id)' not found", details: ["runner_id": .string(id)])
        }
        return runner
    }

    /// The runners matching `query`, newest registration first.
    public func listRunners(_ query: RunnerQuery) -> Page<Runner> {
        let matching = runners.values.filter(query.matches).sorted {
            ($0.registeredAt ?? .distantPast, $0.id) > ($1.registeredAt ?? .distantPast, $1.id)
        }
        return Page(slicing: matching, limit: query.limit, offset: query.offset)
    }

    public var allRunners: [Runner] { Array(runners.values) }

    /// Registers an agent. It takes over (same id) the runner of its fleeting instance, the record a provider made
    /// for it (status `provisioning`), or its own earlier registration: see ``runnerToTakeOver(for:)``. A runner
    /// taken over keeps its provider and instance unless the registration names its own.
    public func register(_ registration: RunnerRegistration) async throws(ServerError) -> Runner {
        let timestamp = now()
        let existing = try runnerToTakeOver(for: registration)
        let id = existing?.id ?? Self.newID("runner-")
        var runner = Runner(id: id, name: registration.name, type: registration.type, status: .idle)
        runner.host = registration.host
        runner.port = registration.port
        runner.architecture = registration.architecture
        runner.os = registration.os
        runner.labels = registration.labels
        runner.tags = registration.tags
        runner.capabilities = registration.capabilities
        runner.metadata = registration.metadata
        runner.resources = registration.resources
        runner.maxConcurrentJobs = registration.maxConcurrentJobs
        runner.version = registration.version
        if let instance = registration.instanceID {
            runner.instanceID = instance
            runner.provider = registration.provider ?? existing?.provider
        } else {
            runner.instanceID = existing?.instanceID
            runner.provider = existing?.provider ?? registration.provider
        }
        runner.registeredAt = existing?.registeredAt ?? timestamp
        runner.lastSeen = timestamp
        runner.statistics = existing?.statistics ?? RunnerStatistics()
        runner.gpus = registration.gpus.map { gpu in
            var gpu = gpu
            gpu.id = "\(id):gpu\(gpu.index)"
            gpu.runnerID = id
            gpu.allocatedJobID = nil
            // An instance's hold outlives its runner's agent restarting: the instance still runs on those GPUs.
            gpu.allocatedInstance = existing?.gpus.first { $0.index == gpu.index }?.allocatedInstance
            return gpu
        }
        let old = existing?.status
        var changes = [save(runner)]
        logRunner(
            id, existing == nil ? "Runner '\(runner.name)' registered" : "Runner '\(runner.name)' registered again (taking over \(id))",
            context: runner.host.map { ["host": .string($0)] })
        changes += requeueJobs(of: id, reason: "runner re-registered")
        publishStatusChange(of: runner, from: old)
        events.publish(.runnerProvisioned, ["runner_id": .string(id), "name": .string(runner.name)], at: timestamp)
        warnOfSharedGPUs(runner)
        requestSchedulingPass()
        try await commit(changes)
        return runners[id] ?? runner
    }

    /// Two live runners reporting the same GPU (by UUID) would each hand it out: an agent detected every GPU of a
    /// machine another agent already serves. The engine cannot tell which should have it, so it says so loudly, in
    /// both runners' logs and as a `system_alert`, and the operator gives each agent its own GPUs
    /// (`--gpu-inventory`).
    private func warnOfSharedGPUs(_ runner: Runner) {
        let uuids = Set(runner.gpus.compactMap(\.uuid))
        guard !uuids.isEmpty else { return }
        for other in runners.values where other.id != runner.id && ![.offline, .stopped, .error].contains(other.status) {
            let shared = uuids.intersection(other.gpus.compactMap(\.uuid)).sorted()
            guard !shared.isEmpty else { continue }
            let message =
                "Runners '\(runner.name)' and '\(other.name)' both report GPU(s) \(shared.joined(separator: ", ")): both may give them "
                + "to jobs at once; give each agent its own GPUs with --gpu-inventory FILE"
            logRunner(runner.id, message, level: .warn, context: ["other_runner_id": .string(other.id)])
            logRunner(other.id, message, level: .warn, context: ["other_runner_id": .string(runner.id)])
            events.publishAlert(
                .warn, source: "engine", message,
                details: ["runner_ids": [.string(runner.id), .string(other.id)], "gpu_uuids": .array(shared.map(JSONValue.string))],
                at: now())
        }
    }

    /// The runner a registration takes over: the one of the same fleeting instance (`instance_id`, within its
    /// `provider`), or one of the same name that a provider made for its instance and no agent has taken yet
    /// (`provisioning`: plugins name each agent when they start it), that is offline, stopped, or that registered
    /// from the same host (an agent restarted before it was marked offline). A live runner of that name on another
    /// host is a 409.
    private func runnerToTakeOver(for registration: RunnerRegistration) throws(ServerError) -> Runner? {
        if let instance = registration.instanceID,
            let provisioned = runnerID(ofInstance: instance, provider: registration.provider).flatMap({ runners[$0] })
        {
            return provisioned
        }
        func mayBeTakenOver(_ runner: Runner) -> Bool {
            [.provisioning, .offline, .stopped, .error].contains(runner.status) || (runner.host != nil && runner.host == registration.host)
        }
        let sameName = (runnerIDsByName[registration.name] ?? []).sorted().compactMap { runners[$0] }
        // Of several runners with the name (a rename made them share it), prefer one that may be taken over.
        guard let named = sameName.first(where: mayBeTakenOver) ?? sameName.first else { return nil }
        if mayBeTakenOver(named) { return named }
        throw ServerError(
            .conflict, status: 409,
            "A live runner named '\(registration.name)' is registered from another host; choose another name or stop it first",
            details: ["runner_id": .string(named.id), "name": .string(named.name)])
    }

    public func updateRunner(_ id: String, _ update: RunnerUpdate) async throws(ServerError) -> Runner {
        var runner = try runner(id)
        if let name = update.name {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ServerError(.validationFailed, status: 422, "name: must not be empty", details: ["field": "name"])
            }
            runner.name = name
        }
        if let labels = update.labels { runner.labels = labels }
        if let tags = update.tags { runner.tags = tags }
        if let capabilities = update.capabilities { runner.capabilities = capabilities }
        // Metadata merges key by key; a null value removes its key.
        for (key, value) in update.metadata ?? [:] {
            runner.metadata[key] = value == .null ? nil : value
        }
        let change = save(runner)
        requestSchedulingPass()
        try await commit([change])
        return runner
    }

    /// Removes a runner. Without `force`, a runner with jobs assigned or running is a 409; with it, those jobs are
    /// queued again to run elsewhere.
    public func deleteRunner(_ id: String, force: Bool, eventDetails: [String: JSONValue] = [:]) async throws(ServerError) -> ActionResult {
        let runner = try runner(id)
        let active = activeJobs(of: id)
        if !active.isEmpty && !force {
            throw ServerError(
                .conflict, status: 409,
                "Runner '\(id)' has \(active.count) job(s) assigned or running; stop it first or delete with force=true",
                details: ["runner_id": .string(id), "job_ids": .array(active.map { .string($0.id) })])
        }
        var changes = requeueJobs(of: id, reason: "runner deleted")
        runnerLogs.remove(id)
        remove(runner: id)
        metrics[id] = nil
        configurations[id] = nil
        passes.seenReady[id] = nil
        wakePollers(of: id)
        changes += [.delete(Collection.runners, id), .delete(Collection.runnerConfigurations, id)]
        events.publish(
            .runnerDeprovisioned, .object(eventDetails.merging(["runner_id": .string(id), "name": .string(runner.name)]) { $1 }), at: now())
        try await commit(changes)
        return ActionResult(success: true, message: "Runner '\(id)' deleted", status: "deleted")
    }

    /// Applies `start`, `stop` or `restart`, or answers 409 `INVALID_STATE_TRANSITION` naming the current status.
    public func perform(
        _ action: RunnerAction, on id: String, stop request: RunnerStopRequest = RunnerStopRequest()
    )
        async throws(ServerError) -> ActionResult
    {
        var runner = try runner(id)
        let old = runner.status
        var changes: [StoreChange] = []
        switch (action, old) {
        case (.start, .stopped), (.start, .offline), (.start, .error), (.start, .draining):
            runner.status = activityStatus(of: runner)
        case (.stop, .active), (.stop, .idle), (.stop, .busy), (.stop, .starting), (.stop, .draining), (.stop, .error),
            (.stop, .offline):
            let graceful = request.graceful ?? true
            // Jobs its agent has not taken yet can run elsewhere.
            changes += takeBackUndelivered(of: id, reason: request.reason ?? "runner stopped")
            runner = runners[id] ?? runner
            if graceful && !activeJobs(of: id).isEmpty {
                runner.status = .draining
            } else {
                runner.status = .stopped
                changes += requeueJobs(of: id, reason: request.reason ?? "runner stopped")
            }
        case (.restart, .active), (.restart, .idle), (.restart, .busy), (.restart, .error), (.restart, .offline),
            (.restart, .stopped), (.restart, .draining):
            runner.status = activityStatus(of: runner)
        default:
            throw ServerError(
                .invalidStateTransition, status: 409, "Cannot \(action.rawValue) runner '\(id)' while it is \(old)",
                details: ["runner_id": .string(id), "status": .string(old.rawValue), "action": .string(action.rawValue)])
        }
        changes.append(save(runner))
        publishStatusChange(of: runner, from: old)
        if !runner.status.acceptsJobs { wakePollers(of: id) }
        requestSchedulingPass()
        try await commit(changes)
        return ActionResult(success: true, message: "Runner '\(id)' \(action.rawValue) accepted", status: runner.status.rawValue)
    }

    /// Records a heartbeat: load, per-GPU readings, last seen; brings an offline runner back.
    public func heartbeat(_ id: String, _ heartbeat: Heartbeat) async throws(ServerError) -> HeartbeatAcknowledgement {
        var runner = try runner(id)
        let timestamp = now()
        let old = runner.status
        let previousHeartbeat = runner.lastSeen
        runner.lastSeen = timestamp
        runner.currentLoad = heartbeat.currentLoad
        for reading in heartbeat.gpus {
            guard let index = runner.gpus.firstIndex(where: { $0.index == reading.index }) else { continue }
            if let utilization = reading.utilization { runner.gpus[index].utilization = utilization }
            if let memory = reading.memoryUsedMB { runner.gpus[index].memoryUsedMB = memory }
            if let temperature = reading.temperature { runner.gpus[index].temperature = temperature }
        }
        if old == .offline { runner.status = activityStatus(of: runner) }
        metrics[id, default: RunnerMetricHistory(capacity: options.metricSamples)].record(heartbeat, at: timestamp)
        var changes = [save(runner)]
        publishStatusChange(of: runner, from: old)
        changes += reconcile(id, running: Set(heartbeat.runningJobIDs), previousHeartbeat: previousHeartbeat)
        if old == .offline { requestSchedulingPass() }
        // Jobs the agent runs that are no longer its own (cancelled, re-queued, deleted) must stop there.
        let cancel = heartbeat.runningJobIDs.filter { jobID in
            guard let job = jobs[jobID] else { return true }
            return job.runnerID != id || job.cancelRequested || job.status.isFinal
        }
        try await commit(changes)
        return HeartbeatAcknowledgement(status: runner.status, cancelJobIDs: cancel, nextHeartbeatIn: options.heartbeatInterval)
    }

    public func statusReport(_ id: String) throws(ServerError) -> RunnerStatusReport {
        let runner = try runner(id)
        var capabilities: [String: String] = [:]
        for capability in runner.capabilities { capabilities[capability] = runner.status == .offline ? "unknown" : "available" }
        return RunnerStatusReport(
            runnerID: id, status: runner.status, health: health(of: runner).health, lastHeartbeat: runner.lastSeen,
            currentLoad: runner.currentLoad, capabilitiesStatus: capabilities)
    }

    /// Named checks: heartbeat freshness, GPUs, load.
    public func health(_ id: String) throws(ServerError) -> RunnerHealth {
        health(of: try runner(id))
    }

    func health(of runner: Runner) -> RunnerHealth {
        var checks: [String: HealthCheck] = [:]
        let age = runner.lastSeen.map { now().timeIntervalSince($0) }
        let limit = options.heartbeatInterval * options.missedHeartbeatsBeforeOffline
        if let age, age <= limit {
            checks["heartbeat"] = HealthCheck(status: .pass, message: "last heartbeat \(Int(age))s ago")
        } else {
            checks["heartbeat"] = HealthCheck(
                status: .fail, message: age.map { "no heartbeat for \(Int($0))s" } ?? "never sent a heartbeat")
        }
        if !runner.gpus.isEmpty {
            let unhealthy = runner.gpus.filter { $0.health != .healthy }
            checks["gpus"] =
                unhealthy.isEmpty
                ? HealthCheck(status: .pass, message: "\(runner.gpus.count) GPU(s) healthy")
                : HealthCheck(status: .warn, message: "\(unhealthy.count) of \(runner.gpus.count) GPU(s) not healthy")
        }
        if let cpu = runner.currentLoad?.cpuUsage {
            checks["cpu"] = HealthCheck(status: cpu > 95 ? .warn : .pass, message: String(format: "%.0f%% used", cpu))
        }
        if let memory = runner.currentLoad?.memoryUsage {
            checks["memory"] = HealthCheck(status: memory > 95 ? .warn : .pass, message: String(format: "%.0f%% used", memory))
        }
        let state: HealthState =
            checks.values.contains { $0.status == .fail }
            ? .unhealthy
            : checks.values.contains { $0.status == .warn } ? .degraded : .healthy
        return RunnerHealth(runnerID: runner.id, health: state, checks: checks, lastCheck: now())
    }

    /// Heartbeat readings over `period`, averaged per `resolution` (both like `1h`, `5m`, or seconds).
    public func metrics(_ id: String, period: String, resolution: String) throws(ServerError) -> RunnerMetrics {
        _ = try runner(id)
        guard let periodSeconds = DurationText.seconds(period), periodSeconds <= 30 * 86_400 else {
            throw ServerError(
                .validationFailed, status: 422, "period: expected a duration such as 1h, 24h or 7d (at most 30d)",
                details: ["field": "period"])
        }
        guard let resolutionSeconds = DurationText.seconds(resolution), resolutionSeconds >= 1,
            periodSeconds / resolutionSeconds <= 10_000
        else {
            throw ServerError(
                .validationFailed, status: 422, "resolution: expected a duration such as 1m or 5m, at most 10,000 buckets per period",
                details: ["field": "resolution"])
        }
        let history = metrics[id] ?? RunnerMetricHistory(capacity: 1)
        let result = history.series(period: periodSeconds, resolution: resolutionSeconds, now: now())
        return RunnerMetrics(runnerID: id, period: period, resolution: resolution, metrics: result.metrics, summary: result.summary)
    }

    public func configuration(_ id: String) throws(ServerError) -> RunnerConfigurationDocument {
        let runner = try runner(id)
        return configurations[id]
            ?? RunnerConfigurationDocument(
                runnerID: id, configuration: RunnerConfiguration(maxConcurrentJobs: runner.maxConcurrentJobs ?? 1))
    }

    /// Merges `update` into the runner's configuration (fields left out keep their value).
    public func updateConfiguration(_ id: String, _ update: RunnerConfiguration) async throws(ServerError) -> RunnerConfigurationDocument {
        var runner = try runner(id)
        if let maximum = update.maxConcurrentJobs, maximum < 1 || maximum > 1024 {
            throw ServerError(
                .validationFailed, status: 422, "max_concurrent_jobs: must be between 1 and 1024", details: ["field": "max_concurrent_jobs"]
            )
        }
        if let timeout = update.jobTimeout, timeout < 1 {
            throw ServerError(.validationFailed, status: 422, "job_timeout: must be at least 1 second", details: ["field": "job_timeout"])
        }
        let current = try configuration(id)
        let document = RunnerConfigurationDocument(
            runnerID: id, configuration: current.configuration.applying(update), lastUpdated: now())
        configurations[id] = document
        var changes: [StoreChange] = []
        if let change = try? StoreChange.put(Collection.runnerConfigurations, id, document) { changes.append(change) }
        if let maximum = document.configuration.maxConcurrentJobs {
            runner.maxConcurrentJobs = maximum
            changes.append(save(runner))
        }
        requestSchedulingPass()
        try await commit(changes)
        return document
    }

    /// Applies one operation to every runner the filters select, reporting each runner's outcome.
    ///
    /// The operation and its `data` are checked first (422 naming `operation` or `data`); then runners are handled
    /// one by one and a runner that fails does not stop the others.
    public func bulk(_ operation: BulkOperation) async throws(ServerError) -> BulkOperationResult {
        let action = try BulkAction(operation)
        var query = RunnerQuery()
        query.status = operation.filters.status
        query.type = operation.filters.type
        query.tags = operation.filters.tags ?? []
        query.labels = operation.filters.labels ?? []
        // Named ids that do not exist are reported per id (404) rather than skipped.
        let selected =
            operation.filters.ids.map { ids in ids.filter { id in runners[id].map(query.matches) ?? true } }
            ?? runners.values.filter(query.matches).map(\.id).sorted()
        var results: [BulkOperationResult.Item] = []
        for id in selected {
            do throws(ServerError) {
                switch action {
                case .perform(let kind, let request): _ = try await perform(kind, on: id, stop: request)
                case .delete(let force): _ = try await deleteRunner(id, force: force)
                case .configure(let configuration): _ = try await updateConfiguration(id, configuration)
                case .addTags(let tags):
                    let current = try runner(id).tags
                    _ = try await updateRunner(id, RunnerUpdate(tags: current + tags.filter { !current.contains($0) }))
                case .removeTags(let tags):
                    _ = try await updateRunner(id, RunnerUpdate(tags: try runner(id).tags.filter { !tags.contains($0) }))
                }
                results.append(.init(runnerID: id, success: true))
            } catch {
                results.append(
                    .init(
                        runnerID: id, success: false, error: APIErrorBody(code: error.code, message: error.message, details: error.details))
                )
            }
        }
        return BulkOperationResult(results: results)
    }

    // MARK: Shared by runners and jobs

    /// The jobs assigned to or running on `runnerID`.
    func activeJobs(of runnerID: String) -> [Job] {
        index.activeJobIDs(of: runnerID).compactMap { jobs[$0] }
    }

    /// idle, active or busy from the jobs a runner holds and its concurrency.
    func activityStatus(of runner: Runner) -> RunnerStatus {
        let count = index.activeCount(of: runner.id)
        if count == 0 { return .idle }
        return count >= max(1, runner.maxConcurrentJobs ?? 1) ? .busy : .active
    }

    /// Re-derives idle/active/busy after jobs came or went, and finishes a drain.
    func refreshActivity(of runnerID: String) -> StoreChange? {
        guard var runner = runners[runnerID] else { return nil }
        let old = runner.status
        switch old {
        case .idle, .active, .busy: runner.status = activityStatus(of: runner)
        case .draining where index.activeCount(of: runnerID) == 0: runner.status = .stopped
        default: return nil
        }
        guard runner.status != old else { return nil }
        publishStatusChange(of: runner, from: old)
        return save(runner)
    }

    func publishStatusChange(of runner: Runner, from old: RunnerStatus?) {
        guard old != runner.status else { return }
        if let old { logRunner(runner.id, "Status changed from \(old) to \(runner.status)") }
        var payload: [String: JSONValue] = ["runner_id": .string(runner.id), "new_status": .string(runner.status.rawValue)]
        if let old { payload["old_status"] = .string(old.rawValue) }
        events.publish(.runnerStatusChanged, .object(payload), at: now())
    }

    /// Marks runners whose heartbeats stopped as offline and takes their jobs back (see ``requeueJobs(of:reason:)``),
    /// and returns jobs to the queue that sat in the mailbox of an agent that stopped asking. Called periodically.
    public func sweep() async {
        let limit = options.heartbeatInterval * options.missedHeartbeatsBeforeOffline
        let timestamp = now()
        var changes = reclaimUnclaimedMail()
        for runner in runners.values where [.idle, .active, .busy, .draining, .starting].contains(runner.status) {
            guard let lastSeen = runner.lastSeen, timestamp.timeIntervalSince(lastSeen) > limit else { continue }
            var offline = runner
            offline.status = .offline
            changes.append(save(offline))
            publishStatusChange(of: offline, from: runner.status)
            wakePollers(of: runner.id)
            changes += requeueJobs(of: runner.id, reason: "runner \(runner.name) missed its heartbeats")
        }
        guard !changes.isEmpty else { return }
        try? await commit(changes)
    }
}

extension Page {
    /// One page of `items`, with `limit` clamped to 1...500.
    init(slicing items: [Item], limit: Int, offset: Int) {
        let limit = min(max(limit, 1), 500)
        let offset = max(offset, 0)
        let slice = offset < items.count ? Array(items[offset..<min(items.count, offset + limit)]) : []
        self.init(items: slice, totalCount: items.count, hasMore: offset + slice.count < items.count, limit: limit, offset: offset)
    }
}

/// A bulk operation with its `data` decoded and checked.
private enum BulkAction {
    case perform(RunnerAction, RunnerStopRequest)
    case delete(force: Bool)
    case configure(RunnerConfiguration)
    case addTags([String])
    case removeTags([String])

    init(_ operation: BulkOperation) throws(ServerError) {
        func decode<T: Decodable>(_ type: T.Type, default value: T) throws(ServerError) -> T {
            guard let data = operation.data, data != .null else { return value }
            do {
                return try data.decode(as: T.self)
            } catch {
                let detail = (error as? DecodingError).map { CoreError.decoding($0).message } ?? "\(error)"
                throw ServerError(
                    .validationFailed, status: 422, "data: not valid for '\(operation.operation.rawValue)': \(detail)",
                    details: ["field": "data"])
            }
        }
        func tags() throws(ServerError) -> [String] {
            guard let tags = operation.data?["tags"]?.arrayValue?.compactMap(\.stringValue), !tags.isEmpty else {
                throw ServerError(
                    .validationFailed, status: 422, "data.tags: '\(operation.operation.rawValue)' needs a non-empty list of tags",
                    details: ["field": "data.tags"])
            }
            return tags
        }
        switch operation.operation {
        case .start: self = .perform(.start, RunnerStopRequest())
        case .stop: self = .perform(.stop, try decode(RunnerStopRequest.self, default: RunnerStopRequest()))
        case .restart: self = .perform(.restart, try decode(RunnerStopRequest.self, default: RunnerStopRequest()))
        case .drain:
            var request = try decode(RunnerStopRequest.self, default: RunnerStopRequest())
            request.graceful = true
            self = .perform(.stop, request)
        case .delete: self = .delete(force: operation.data?["force"]?.boolValue ?? false)
        case .updateConfig: self = .configure(try decode(RunnerConfiguration.self, default: RunnerConfiguration()))
        case .addTags: self = .addTags(try tags())
        case .removeTags: self = .removeTags(try tags())
        case .unknown(let value):
            throw ServerError(
                .validationFailed, status: 422,
                "operation: '\(value)' is not one of start, stop, restart, drain, delete, update_config, add_tags, remove_tags",
                details: ["field": "operation"])
        }
    }
}
