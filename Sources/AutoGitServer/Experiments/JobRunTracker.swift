import AutoGitCore
import Foundation

/// Carries jobs' outcomes to their experiment runs: it follows `job_status_changed` events on the ``EventBus`` (the
/// engine is not changed for it) and, when a job with runs ends, sets their status (succeeded → `finished`, failed or
/// timed out → `failed`, cancelled → `cancelled`), their duration, and their cost when the runner's provider
/// declares a price.
///
/// Events live in memory only, so at start (and whenever asked) it also reconciles: runs still `running` whose job
/// has ended are brought up to date, and jobs stored naming a run that was never created (a crash between storing
/// the job and its run) get their run.
struct JobRunTracker: Sendable {
    let experiments: ExperimentTracking
    let fleet: Fleet
    let store: DurableStore
    let configuration: LiveConfiguration
    let log: @Sendable (String) -> Void

    /// Follows `events` until the stream ends (shutdown). Reconciles once first.
    func run(events: AsyncStream<Event>) async {
        await reconcile()
        for await event in events {
            guard let jobID = event.payload["job_id"]?.stringValue,
                let status = event.payload["new_status"]?.stringValue.map(JobStatus.init(rawValue:))
            else { continue }
            await jobChanged(jobID, status: status)
        }
    }

    /// Brings the runs of `jobID` up to date with the job's `status`.
    func jobChanged(_ jobID: String, status: JobStatus) async {
        let runs = await experiments.runs.runs(ofJob: jobID)
        guard !runs.isEmpty, let job = try? await fleet.job(jobID) else { return }
        for run in runs {
            do {
                try await update(run, for: job)
            } catch {
                log("experiments: could not update run \(run.id) for job \(jobID): \(error)")
            }
        }
    }

    /// Runs left `running` by jobs that ended while no one listened, and jobs whose run was never created.
    func reconcile() async {
        for run in await experiments.runs.runningJobRuns() {
            guard let jobID = run.jobID, let job = try? await fleet.job(jobID), job.status.isFinal else { continue }
            try? await update(run, for: job)
        }
        // Jobs naming a run that does not exist, read from the store (not the engine, which this must not hold up):
        // only the stored jobs whose JSON mentions an experiment are decoded.
        let marker = Array("\"experiment\"".utf8)
        let decoder = AutoGitJSON.decoder()
        for (_, bytes) in store.values(in: Fleet.Collection.jobs) where MultipartFormData.find(marker, in: bytes, from: 0) != nil {
            guard let stored = try? decoder.decode(Job.self, from: Data(bytes)), let runID = stored.spec.experiment?.runID,
                await experiments.runs.existingRun(runID) == nil
            else { continue }
            let job = (try? await fleet.job(stored.id)) ?? stored
            do {
                try await experiments.attach(job)
                if let run = await experiments.runs.existingRun(runID), job.status.isFinal { try await update(run, for: job) }
            } catch {
                log("experiments: could not create run \(runID) for job \(job.id): \(error)")
            }
        }
    }

    private func update(_ run: ExperimentRun, for job: Job) async throws(ServerError) {
        let status: RunStatus
        switch job.status {
        case .succeeded: status = .finished
        case .failed, .timedOut: status = .failed
        case .cancelled: status = .cancelled
        case .running, .assigned, .queued: status = .running
        default: return
        }
        let cost = job.status.isFinal ? await RunCost.total(of: job, fleet: fleet, providers: configuration.current.providers) : nil
        guard run.status != status || (cost != nil && run.cost != cost?.amount) || (job.status.isFinal && run.summary["job_status"] == nil)
        else { return }
        _ = try await experiments.runs.modifyRun(run.id) { run in
            run.status = status
            if job.status.isFinal {
                run.summary["job_status"] = .string(job.status.rawValue)
                if let duration = job.duration { run.summary["duration_seconds"] = .number(duration) }
                if let exitCode = job.exitCode { run.summary["exit_code"] = .number(Double(exitCode)) }
                if !job.previousAttempts.isEmpty { run.summary["attempts"] = .number(Double(job.attempt)) }
            }
            if let cost {
                run.cost = cost.amount
                run.currency = cost.currency
            }
        }
    }
}

/// What a run cost: for each attempt of its job, the hourly price of the offer its runner was provisioned from,
/// times how long the attempt ran.
enum RunCost {
    /// The cost of every attempt of `job` that ran on a priced offer, in the currency of the first priced one
    /// (attempts priced in another currency are left out); nil when none was priced. A runner that is gone is
    /// priced from what its attempt recorded (provider and offer id).
    static func total(
        of job: Job, fleet: Fleet, providers: [ServerConfiguration.ProviderEntry]
    ) async -> (amount: Double, currency: String)? {
        var attempts = job.previousAttempts
        attempts.append(
            JobAttempt(
                attempt: job.attempt, status: job.status, runnerID: job.runnerID, gpuIndices: job.gpuIndices,
                startedAt: job.startedAt, completedAt: job.completedAt))
        var total: (amount: Double, currency: String)?
        for attempt in attempts {
            guard let duration = attempt.duration, let runnerID = attempt.runnerID else { continue }
            var runner = try? await fleet.runner(runnerID)
            if runner == nil, attempt.provider != nil {
                var gone = Runner(id: runnerID, name: runnerID, type: .native, status: .offline)
                gone.provider = attempt.provider
                if let offerID = attempt.offerID { gone.metadata["offer_id"] = .string(offerID) }
                runner = gone
            }
            guard let runner, let offer = offer(for: runner, providers: providers), let price = offer.hourlyPrice,
                total == nil || total?.currency == offer.currency
            else { continue }
            total = ((total?.amount ?? 0) + cost(hourlyPrice: price, seconds: duration), offer.currency)
        }
        return total.map { ((($0.amount * 1_000_000).rounded() / 1_000_000), $0.currency) }
    }

    /// `hourlyPrice` per hour for `seconds`, rounded to a millionth of the currency unit.
    static func cost(hourlyPrice: Double, seconds: Double) -> Double {
        (hourlyPrice * max(0, seconds) / 3600 * 1_000_000).rounded() / 1_000_000
    }

    /// The offer `runner` runs on: none without a provider or without offers; the one named by the runner's
    /// `metadata.offer_id` when there is one; the provider's only offer; else the one whose GPU count and type match
    /// the runner's GPUs.
    static func offer(for runner: Runner, providers: [ServerConfiguration.ProviderEntry]) -> Offer? {
        guard let name = runner.provider, let entry = providers.first(where: { $0.name == name }) else { return nil }
        let offers = offers(in: entry)
        guard !offers.isEmpty else { return nil }
        if let id = runner.metadata["offer_id"]?.stringValue { return offers.first { $0.id == id } }
        if offers.count == 1 { return offers[0] }
        let model = runner.gpus.first?.model
        return offers.first { offer in
            guard offer.gpuCount == runner.gpus.count else { return false }
            guard let type = offer.gpuType else { return runner.gpus.isEmpty }
            return model.map { GPU.name($0, matches: type) } ?? false
        }
    }

    /// The offers a provider's settings declare (`settings.offers`), as its plugin reads them.
    static func offers(in entry: ServerConfiguration.ProviderEntry) -> [Offer] {
        guard let value = entry.settings["offers"], value != .null,
            let data = try? AutoGitJSON.encoder().encode(value), let offers = try? AutoGitJSON.decode([Offer].self, from: data)
        else { return [] }
        return offers
    }
}
