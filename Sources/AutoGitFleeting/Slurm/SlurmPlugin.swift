import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runner agents as Slurm batch jobs: `sbatch` to provision, `squeue` to list and check, `scancel` to remove.
///
/// Each instance is one job named after its runner (`--job-name=slurm-a100-3f9c01ab`) and marked with
/// `--comment=autogit:provider=NAME`; its id is the Slurm job id. The job script exports the ``FleetingTags``
/// variables and `exec`s the agent, so the job ends when the agent does. Every command gets `SLURM_CONF` from the
/// settings. GPUs are requested as `--gres=gpu[:TYPE]:N` from the shape.
///
/// **The agent's GPUs.** Inside the job Slurm sets `CUDA_VISIBLE_DEVICES` (the indices CUDA sees) and
/// `SLURM_JOB_GPUS` (the node's indices of the allocated GPUs). The agent takes its GPU inventory from them: it
/// offers only those GPUs to jobs, and the steps it runs inherit `CUDA_VISIBLE_DEVICES` narrowed to their allocation.
///
/// - **Idempotency.** `deprovision` cancels only live jobs carrying this provider's comment; ids of finished,
///   unknown or foreign jobs are reported removed without a call. `list`, `status`, `connectInfo` only look.
/// - **Partial failure.** `provision` submits one job per instance and returns those Slurm accepted. When `sbatch`
///   fails or times out, the job is looked up by its unique name, so a job that was created anyway is returned
///   rather than leaked; if none was accepted, it throws: `PLUGIN_REJECTED` with Slurm's message when Slurm refused
///   the job (too many GPUs, unknown partition), `PLUGIN_UNAVAILABLE` when the controller could not be reached.
///   `deprovision` is one `scancel` for all ids: it removes all or throws.
/// - **Duration.** Each call is one or two Slurm commands (tens of milliseconds on a healthy controller), at most
///   `command_timeout` (default 30 s) each; `provision` makes one `sbatch` per instance. Provisioning returns when
///   the job is queued (`creating`); it becomes `running` when Slurm starts it.
/// - **States.** `PENDING`/`CONFIGURING` → creating, `RUNNING` → running, `COMPLETING` → deleting,
///   `FAILED`/`NODE_FAIL`/`BOOT_FAIL` → failed, `PREEMPTED` → preempted; a job `squeue` no longer knows, or that
///   completed or was cancelled, is gone. Failed and preempted jobs stay in `list` until Slurm forgets them
///   (`MinJobAge`); jobs refused at submission never appear.
public actor SlurmPlugin: FleetingPlugin {
    private var settings: SlurmSettings?

    public init() {}

    public func initialize(_ settings: PluginSettings) async throws -> ProviderInfo {
        let slurm = try SlurmSettings(settings)
        self.settings = slurm
        // Reachability: one squeue of our own jobs.
        _ = try await queue(slurm, jobs: nil)
        return ProviderInfo(
            name: "slurm", version: "1", maxInstances: slurm.maxInstances, capabilities: [.reportsPreemption], offers: slurm.offers)
    }

    public func provision(count: Int, shape: ProvisionShape) async throws -> [FleetingInstance] {
        let settings = try configured()
        var created: [FleetingInstance] = []
        for _ in 0..<max(0, count) {
            do {
                created.append(try await submit(shape: shape, settings: settings))
            } catch {
                if created.isEmpty { throw error }
                break
            }
        }
        return created
    }

    private func submit(shape: ProvisionShape, settings: SlurmSettings) async throws -> FleetingInstance {
        let name = RunnerNames.make(provider: settings.provider)
        var arguments = ["--parsable", "--job-name=\(name)", "--comment=\(settings.comment)", "--output=\(settings.output)"]
        if let partition = settings.partition { arguments.append("--partition=\(partition)") }
        if let account = settings.account { arguments.append("--account=\(account)") }
        if let qos = settings.qos { arguments.append("--qos=\(qos)") }
        if let time = settings.timeLimit { arguments.append("--time=\(time)") }
        if let directory = settings.workingDirectory { arguments.append("--chdir=\(directory)") }
        if shape.gpuCount > 0 {
            let type = settings.gresType ?? shape.gpuType.map { settings.gresTypes[$0] ?? $0 }
            arguments.append("--gres=gpu:\(type.map { "\($0):" } ?? "")\(shape.gpuCount)")
        }
        arguments += settings.extraArguments
        let script = jobScript(name: name, shape: shape, settings: settings)
        let command = Command(
            settings.tool("sbatch"), arguments, environment: settings.environment, standardInput: Data(script.utf8),
            timeout: settings.commandTimeout)

        let result: CommandResult
        do {
            result = try await CommandRunner.run(command)
        } catch let error as CoreError {
            throw CoreError(error.code, "\(settings.provider): \(error.message)")
        }
        if result.succeeded, let jobID = result.output.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines),
            !jobID.isEmpty, jobID.allSatisfy(\.isNumber)
        {
            return FleetingInstance(
                id: jobID, state: .creating, runnerName: name, shape: shape, createdAt: Date(),
                metadata: metadata(jobID: jobID, settings: settings))
        }
        // sbatch failed, timed out or printed something unexpected: the job may exist all the same.
        if let records = try? await queue(settings, jobs: nil), let record = records.first(where: { $0.name == name }) {
            if record.instanceState.isAlive {
                return FleetingInstance(
                    id: record.jobID, state: record.instanceState, runnerName: name, shape: shape, createdAt: Date(),
                    metadata: metadata(jobID: record.jobID, settings: settings))
            }
        }
        throw submissionError(result, settings: settings)
    }

    private func submissionError(_ result: CommandResult, settings: SlurmSettings) -> CoreError {
        if result.timedOut {
            return CoreError(.pluginUnavailable, "\(settings.provider): sbatch did not answer within \(settings.commandTimeout)")
        }
        let message = result.diagnostic().replacingOccurrences(of: "sbatch: error: ", with: "")
        let unreachable = ["Unable to contact", "Connection refused", "Communication connection failure", "Socket timed out", "auth"]
        let code: ErrorCode = unreachable.contains { message.localizedCaseInsensitiveContains($0) } ? .pluginUnavailable : .pluginRejected
        return CoreError(code, "\(settings.provider): Slurm refused the job (sbatch exit \(result.status)): \(message)")
    }

    /// The batch script: tags, then `exec` of the agent so that the job ends when the agent does.
    private func jobScript(name: String, shape: ProvisionShape, settings: SlurmSettings) -> String {
        let words = settings.command.arguments(
            executable: settings.executable, agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape)
        let variables = settings.command.variables(agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape)
        var lines = [
            "#!/bin/sh",
            "# AutoGit runner agent \(name) of provider \(settings.provider), started by the slurm fleeting plugin.",
            "# The agent takes its GPUs from CUDA_VISIBLE_DEVICES and SLURM_JOB_GPUS, which Slurm sets for --gres.",
        ]
        for (key, value) in variables.sorted(by: { $0.key < $1.key }) {
            lines.append("export \(key)=\(ShellQuoting.quote(value))")
        }
        lines.append("exec \(ShellQuoting.join(words))")
        return lines.joined(separator: "\n") + "\n"
    }

    private func metadata(jobID: String, settings: SlurmSettings) -> [String: String] {
        var metadata = ["slurm_job_id": jobID]
        if let partition = settings.partition { metadata["partition"] = partition }
        return metadata
    }

    public func deprovision(ids: [String]) async throws -> [String] {
        let settings = try configured()
        let numeric = ids.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        guard !numeric.isEmpty else { return ids }
        let ours = try await queue(settings, jobs: nil)
        let live = Set(ours.filter { !$0.neverStarted && $0.instanceState != .gone }.map(\.jobID))
        let targets = numeric.filter { live.contains($0) }
        if !targets.isEmpty {
            let result = try await run(
                settings, Command(settings.tool("scancel"), targets, environment: settings.environment, timeout: settings.commandTimeout))
            guard result.succeeded else {
                throw CoreError(.pluginUnavailable, "\(settings.provider): scancel failed (exit \(result.status)): \(result.diagnostic())")
            }
        }
        return ids
    }

    public func list() async throws -> [FleetingInstance] {
        let settings = try configured()
        return try await queue(settings, jobs: nil).compactMap { record in
            guard !record.neverStarted, record.instanceState != .gone else { return nil }
            return instance(record, settings: settings)
        }
    }

    public func status(id: String) async throws -> FleetingInstanceState {
        let settings = try configured()
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { return .gone }
        return try await queue(settings, jobs: id).first?.instanceState ?? .gone
    }

    public func connectInfo(id: String) async throws -> ConnectInfo {
        let settings = try configured()
        var metadata = ["slurm_job_id": id, "output": settings.output]
        var address: String? = nil
        if !id.isEmpty, id.allSatisfy(\.isNumber), let record = try await queue(settings, jobs: id).first {
            if !record.nodes.isEmpty && record.nodes != "(null)" { address = record.nodes }
            metadata["state"] = record.state
        }
        if let partition = settings.partition { metadata["partition"] = partition }
        return ConnectInfo(transport: "slurm", address: address, metadata: metadata)
    }

    // MARK: - squeue

    private func instance(_ record: SqueueRecord, settings: SlurmSettings) -> FleetingInstance {
        var metadata = metadata(jobID: record.jobID, settings: settings)
        if !record.nodes.isEmpty && record.nodes != "(null)" { metadata["node"] = record.nodes }
        metadata["slurm_state"] = record.state
        return FleetingInstance(
            id: record.jobID, state: record.instanceState, runnerName: record.name,
            createdAt: SlurmTime.date(record.submitTime), reason: record.meaningfulReason, metadata: metadata)
    }

    /// This provider's jobs (all states Slurm still remembers), or the one job `jobs` names. An id Slurm does not
    /// know gives an empty answer, not an error.
    private func queue(_ settings: SlurmSettings, jobs: String?) async throws -> [SqueueRecord] {
        var arguments = ["--noheader", "--states=all", "--format=\(SqueueRecord.format)"]
        if let jobs {
            arguments.append("--jobs=\(jobs)")
        } else {
            arguments.append("--user=\(Self.currentUser)")
        }
        let result = try await run(
            settings, Command(settings.tool("squeue"), arguments, environment: settings.environment, timeout: settings.commandTimeout))
        if !result.succeeded {
            if jobs != nil, result.errorOutput.contains("Invalid job id") { return [] }
            let detail = result.timedOut ? "no answer within \(settings.commandTimeout)" : "exit \(result.status): \(result.diagnostic())"
            throw CoreError(.pluginUnavailable, "\(settings.provider): squeue failed (\(detail))")
        }
        return SqueueRecord.parse(result.output).filter {
            $0.comment == settings.comment && RunnerNames.belongs($0.name, to: settings.provider)
        }
    }

    private func run(_ settings: SlurmSettings, _ command: Command) async throws -> CommandResult {
        do {
            return try await CommandRunner.run(command)
        } catch let error as CoreError {
            throw CoreError(error.code, "\(settings.provider): \(error.message)")
        }
    }

    private func configured() throws -> SlurmSettings {
        guard let settings else { throw CoreError(.pluginConfiguration, "The slurm plugin was used before initialize") }
        return settings
    }

    private static var currentUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
