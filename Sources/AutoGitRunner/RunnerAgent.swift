import AutoGitClient
import AutoGitCore
import Foundation
import Synchronization

/// The runner agent: registers this machine with an AutoGit server and runs the jobs the server gives it.
///
/// ``run()`` probes the host (``HostProbe``), registers (`POST /v1/runners/register` with the registration token,
/// retried while the server is unreachable), then, with the runner's own token:
/// - heartbeats (`POST /v1/runners/{id}/heartbeat`) with its load, per-GPU readings and running jobs, at the interval
///   the server names; the answer's `cancel_job_ids` stop those jobs at once, and a server status that takes no jobs
///   (`draining`, `stopped`) pauses polling until it changes back;
/// - long-polls `POST /v1/runners/{id}/jobs/request` whenever fewer than `concurrency` jobs run, and runs each job it
///   receives with a ``JobRunner`` (steps in their own process groups, output streamed, status reported).
///
/// ``drain()`` (what `autogit runner` calls on SIGTERM or SIGINT) takes no new job, lets running ones finish, sends a
/// last heartbeat, asks the server to remove the runner, and makes ``run()`` return. ``stop()`` also terminates
/// running jobs (they are reported failed, so their retries can run elsewhere).
///
/// ```swift
/// let agent = RunnerAgent(configuration: RunnerAgentConfiguration(
///     serverURL: URL(string: "http://127.0.0.1:8080")!, registrationToken: token, labels: ["cuda"], concurrency: 2))
/// try await agent.run()   // returns after agent.drain()
/// ```
public final class RunnerAgent: Sendable {
    public let configuration: RunnerAgentConfiguration
    private let client: AutoGitClient
    private let probe: HostProbe
    private let state = AgentState()
    private let drainRequested = Latch()
    private let registration = Mutex<(runnerID: String, inventory: HostInventory)?>(nil)

    /// - Parameter transport: what carries requests to the server; URLSession when nil (tests pass an in-process
    ///   one).
    public init(configuration: RunnerAgentConfiguration, transport: (any Transport)? = nil) {
        self.configuration = configuration
        client = AutoGitClient(
            baseURL: configuration.serverURL, credentials: .bearer(configuration.registrationToken),
            configuration: AutoGitClient.Configuration(userAgent: "AutoGitRunner/\(configuration.version ?? "dev")"),
            transport: transport)
        probe = HostProbe(
            gpuInventoryFile: configuration.gpuInventoryFile, toolSearchPath: configuration.toolSearchPath,
            environment: configuration.environment)
    }

    /// The runner's id once registered.
    public var runnerID: String? { registration.withLock { $0?.runnerID } }

    /// What the host probe found, once registered.
    public var inventory: HostInventory? { registration.withLock { $0?.inventory } }

    /// The jobs running now, by id.
    public var runningJobIDs: [String] { state.snapshot.running.keys.sorted() }

    /// How many jobs the agent has taken since it started.
    public var jobsTaken: Int { state.snapshot.jobsTaken }

    /// Whether ``drain()`` was called.
    public var isDraining: Bool { state.snapshot.isDraining }

    /// Takes no new job, lets running jobs finish, then makes ``run()`` return. Safe from any thread (a signal
    /// handler's queue included), any number of times.
    public func drain() {
        let wasDraining = state.update { snapshot -> Bool in
            defer { snapshot.isDraining = true }
            return snapshot.isDraining
        }
        drainRequested.signal()
        if !wasDraining {
            configuration.log("draining: taking no new jobs; waiting for \(state.snapshot.running.count) running")
        }
    }

    /// Drains, and terminates the running jobs' process groups (SIGTERM, then SIGKILL after the grace period).
    public func stop() {
        drain()
        state.update { $0.isStopping = true }
        let running = state.snapshot.running.values
        if !running.isEmpty { configuration.log("stopping \(running.count) running jobs") }
        for job in running { job.cancel(.runnerStopping) }
    }

    /// Probes, registers and runs jobs until drained; returns when every job it took has ended and been reported.
    ///
    /// - Throws: ``RunnerError`` when the configuration cannot work, the GPU inventory file is invalid, or the server
    ///   refuses the registration (a bad token, a name held by another live runner).
    public func run() async throws(RunnerError) {
        guard configuration.concurrency >= 1 else {
            throw RunnerError(.agentConfigurationInvalid, "concurrency must be at least 1, not \(configuration.concurrency)")
        }
        do {
            try FileManager.default.createDirectory(atPath: configuration.workDirectory + "/jobs", withIntermediateDirectories: true)
        } catch {
            throw RunnerError(.agentConfigurationInvalid, "cannot create the work directory \(configuration.workDirectory): \(error)")
        }
        let inventory = try await probe.probe(workDirectory: configuration.workDirectory)
        for warning in inventory.warnings { configuration.log("GPU detection: \(warning)") }
        configuration.log(
            "host \(inventory.hostname): \(inventory.architecture.rawValue), \(inventory.resources.cpuCores ?? 0) CPUs, "
                + "\(inventory.gpus.count) GPUs (\(inventory.gpuSource.rawValue))")
        guard let registered = try await register(inventory) else { return }
        registration.withLock { $0 = (registered.runnerID, inventory) }
        configuration.log("registered as runner \(registered.runnerID)")
        let runnerClient = client.with(credentials: .bearer(registered.token))
        let session = Session(
            agent: self, client: runnerClient, runnerID: registered.runnerID, inventory: inventory,
            sampler: LoadSampler(workDirectory: configuration.workDirectory))

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await session.heartbeatLoop() }
            await session.pollLoop(&group)
            await state.wait { $0.running.isEmpty }
            group.cancelAll()
        }
        await session.signOff()
    }

    // MARK: - Registration

    private func register(_ inventory: HostInventory) async throws(RunnerError) -> RunnerRegistrationResult? {
        var metadata: [String: JSONValue] = ["gpu_detection": .string(inventory.gpuSource.rawValue)]
        if let osVersion = inventory.osVersion { metadata["os_version"] = .string(osVersion) }
        let request = RunnerRegistration(
            name: configuration.name ?? inventory.hostname, type: .native, host: inventory.hostname,
            architecture: inventory.architecture, os: inventory.os, labels: configuration.labels, capabilities: ["shell"],
            metadata: metadata, resources: inventory.resources, gpus: inventory.gpus, maxConcurrentJobs: configuration.concurrency,
            version: configuration.version)
        var delay = configuration.retryDelay
        while !drainRequested.isSet {
            do {
                return try await client.runners.register(request)
            } catch {
                if let status = error.status, (400..<500).contains(status), status != 408, status != 429 {
                    throw RunnerError(.registrationFailed, "the server refused the registration: \(error)", httpStatus: status)
                }
                configuration.log("registration failed (\(error)); retrying in \(delay)")
                _ = await drainRequested.wait(until: .now + delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
        return nil
    }

    // MARK: - A registered session

    /// The loops of one registration: heartbeats, the long poll, and the jobs it starts.
    private struct Session: Sendable {
        let agent: RunnerAgent
        let client: AutoGitClient
        let runnerID: String
        let inventory: HostInventory
        let sampler: LoadSampler

        var configuration: RunnerAgentConfiguration { agent.configuration }
        var state: AgentState { agent.state }

        func heartbeatLoop() async {
            var interval = configuration.heartbeatInterval
            var isFailing = false
            while !Task.isCancelled {
                do {
                    let acknowledgement = try await beat()
                    if isFailing { configuration.log("heartbeats reach the server again") }
                    isFailing = false
                    let seconds = min(max(acknowledgement.nextHeartbeatIn, 0.02), 600)
                    interval = .milliseconds(Int64(seconds * 1000))
                } catch {
                    if Task.isCancelled { return }
                    if !isFailing { configuration.log("heartbeat failed: \(error)") }
                    isFailing = true
                }
                try? await Task.sleep(for: interval)
            }
        }

        /// Sends one heartbeat and acts on the answer: server status, jobs to cancel.
        @discardableResult
        func beat() async throws(AutoGitError) -> HeartbeatAcknowledgement {
            let running = state.snapshot.running
            let heartbeat = Heartbeat(
                currentLoad: sampler.sample(activeJobs: running.count), gpus: await agent.probe.readings(for: inventory),
                runningJobIDs: running.keys.sorted(), timestamp: Date())
            let acknowledgement = try await client.runners.heartbeat(runnerID, heartbeat)
            if state.snapshot.serverStatus != acknowledgement.status {
                configuration.log("the server holds this runner as \(acknowledgement.status.rawValue)")
                state.update { $0.serverStatus = acknowledgement.status }
            }
            let current = state.snapshot.running
            for id in acknowledgement.cancelJobIDs {
                guard let job = current[id], job.stopReason == nil else { continue }
                configuration.log("job \(id): cancelled on the server; stopping its process group")
                job.cancel(.cancelled("cancelled on the server"))
            }
            return acknowledgement
        }

        /// Takes jobs while there is room, until the agent drains.
        func pollLoop(_ group: inout TaskGroup<Void>) async {
            var delay = configuration.retryDelay
            let concurrency = configuration.concurrency
            while true {
                await state.wait { $0.isDraining || ($0.serverStatus.acceptsJobs && $0.running.count < concurrency) }
                if state.snapshot.isDraining { return }
                let started = ContinuousClock.now
                switch await poll() {
                case .drained:
                    return
                case .job(let job?):
                    delay = configuration.retryDelay
                    start(job, in: &group)
                case .job(nil):
                    delay = configuration.retryDelay
                    // A server that answers at once (it holds the runner as draining, or ignores `wait`) must not
                    // be polled in a tight loop.
                    if started.duration(to: .now) < .seconds(configuration.pollWait) / 2 || configuration.pollWait == 0 {
                        _ = await agent.drainRequested.wait(until: .now + configuration.retryDelay)
                    }
                case .failed(let error):
                    configuration.log("job request failed (\(error)); retrying in \(delay)")
                    _ = await agent.drainRequested.wait(until: .now + delay)
                    delay = min(delay * 2, configuration.maxRetryDelay)
                }
            }
        }

        private enum PollResult: Sendable {
            case job(Job?)
            case failed(AutoGitError)
            case drained
        }

        /// One long poll, abandoned when the agent drains. A job that arrives anyway was already assigned to this
        /// runner, so it is kept and run.
        private func poll() async -> PollResult {
            await withTaskGroup(of: PollResult.self) { group in
                group.addTask {
                    do throws(AutoGitError) {
                        return .job(try await client.runners.requestJob(runnerID, wait: configuration.pollWait))
                    } catch {
                        return .failed(error)
                    }
                }
                group.addTask {
                    await agent.drainRequested.wait()
                    return .drained
                }
                var outcome = await group.next() ?? .drained
                group.cancelAll()
                while let other = await group.next() {
                    if case .job(let job?) = other { outcome = .job(job) }
                }
                return outcome
            }
        }

        private func start(_ job: Job, in group: inout TaskGroup<Void>) {
            let runner = JobRunner(job: job, runnerID: runnerID, client: client, inventory: inventory, configuration: configuration)
            let (isNew, isStopping) = state.update { snapshot -> (Bool, Bool) in
                guard snapshot.running[job.id] == nil else { return (false, snapshot.isStopping) }
                snapshot.running[job.id] = runner
                snapshot.jobsTaken += 1
                return (true, snapshot.isStopping)
            }
            guard isNew else { return }
            // A job that arrived with a poll abandoned by stop() is reported failed at once, for its retries.
            if isStopping { runner.cancel(.runnerStopping) }
            let gpus = job.gpuIndices.isEmpty ? "" : " on GPUs \(job.gpuIndices.map(String.init).joined(separator: ","))"
            configuration.log("job \(job.id) (\(job.spec.name)) started\(gpus)")
            group.addTask { [state] in
                _ = await runner.run()
                state.update { $0.running[job.id] = nil }
            }
        }

        /// After the last job: one more heartbeat (no running jobs), then asks the server to remove the runner.
        func signOff() async {
            _ = try? await beat()
            guard configuration.deregistersOnExit else { return }
            do {
                try await client.runners.delete(runnerID)
                configuration.log("deregistered runner \(runnerID)")
            } catch  where error.status == 409 && error.details?["provider"] != nil {
                configuration.log("runner \(runnerID) stays for its provider to remove with its instance")
            } catch  where error.status == 401 || error.status == 403 {
                configuration.log("the server keeps runner \(runnerID) (a runner token may not remove it); it goes offline now")
            } catch {
                configuration.log("could not deregister runner \(runnerID): \(error)")
            }
        }
    }
}

extension ErrorCode {
    /// The server refused the agent's registration (a bad registration token, a name held by another live runner).
    public static let registrationFailed: ErrorCode = "REGISTRATION_FAILED"
}
