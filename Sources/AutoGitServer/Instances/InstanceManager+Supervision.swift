import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension InstanceManager {
    /// Waits for the process of `generation` to end, then applies the restart policy, unless someone else (a stop,
    /// a failure being handled) has taken the instance over meanwhile.
    func watchExit(_ name: String, _ generation: Int, _ process: InstanceProcess) async {
        guard let exit = await process.waitForExit(), isCurrent(name, generation) else { return }
        process.signalGroup(SIGKILL)
        entries[name]?.log.append("process \(exit)", stream: .system, level: exit.isSuccess ? .info : .error)
        await applyRestartPolicy(name, generation, reason: "process \(exit)", failed: !exit.isSuccess)
    }

    /// Probes a starting instance until it serves (then it is `running`), then probes it every
    /// ``Configuration/healthInterval``: too many failed probes count as a failure, and an on-demand instance
    /// without traffic for its idle timeout is stopped.
    func supervise(_ name: String, _ generation: Int, _ process: InstanceProcess, startPhase: Bool) async {
        if startPhase {
            let deadline = ContinuousClock.now + configuration.startTimeout
            while true {
                guard isCurrent(name, generation), !Task.isCancelled, process.exit == nil, let probe = probe(for: name) else { return }
                let result = await probe.check(processAlive: true)
                guard isCurrent(name, generation), !Task.isCancelled, process.exit == nil else { return }
                if result.isHealthy {
                    entries[name]?.runningSince = .now
                    setStatus(name, .running, reason: "health probe passed (\(result.health.checks["response"] ?? "ok"))")
                    try? await persist(name)
                    break
                }
                if ContinuousClock.now >= deadline {
                    await handleFailure(
                        name, generation, process, reason: "no healthy answer on port \(probe.port) within \(configuration.startTimeout)")
                    return
                }
                try? await Task.sleep(for: configuration.startProbeInterval)
            }
        }
        var failures = 0
        while true {
            try? await Task.sleep(for: configuration.healthInterval)
            guard isCurrent(name, generation), !Task.isCancelled, process.exit == nil, let entry = entries[name] else { return }

            if entry.instance.onDemand, let idle = entry.instance.idleTimeout, entry.activity.inFlight == 0,
                ContinuousClock.now - entry.activity.lastUsed >= .seconds(idle)
            {
                await terminate(
                    name, force: false, timeout: configuration.stopTimeout, finalStatus: .stopped,
                    reason: "idle for \(idle)s without proxied requests", cancelTasks: false)
                return
            }
            if let since = entry.runningSince, entry.backoffLevel > 0, ContinuousClock.now - since >= configuration.stableAfter {
                entries[name]?.backoffLevel = 0
            }

            guard let probe = probe(for: name) else { return }
            let result = await probe.check(processAlive: process.exit == nil)
            guard isCurrent(name, generation), !Task.isCancelled, process.exit == nil else { return }
            if result.isHealthy {
                failures = 0
                continue
            }
            failures += 1
            entries[name]?.log.append(
                "health probe failed (\(failures)/\(configuration.unhealthyThreshold)): port \(result.portOpen ? "open" : "closed"), "
                    + "response \(result.health.checks["response"] ?? "none")", stream: .system, level: .warn)
            if failures >= configuration.unhealthyThreshold {
                await handleFailure(name, generation, process, reason: "health probe failed \(failures) times in a row")
                return
            }
        }
    }

    private func probe(for name: String) -> InstanceHealthProbe? {
        guard let instance = entries[name]?.instance, let port = instance.port else { return nil }
        return InstanceHealthProbe(port: port, path: instance.healthPath, timeout: configuration.probeTimeout)
    }

    /// A live process that fails its probes: stop it (SIGTERM, then SIGKILL) and apply the restart policy as for a
    /// crash.
    private func handleFailure(_ name: String, _ generation: Int, _ process: InstanceProcess, reason: String) async {
        guard isCurrent(name, generation) else { return }
        let owner = nextGeneration(name)
        entries[name]?.log.append("\(reason): stopping process group \(process.processGroup)", stream: .system, level: .error)
        process.signalGroup(SIGTERM)
        if await process.waitForExit(timeout: min(configuration.stopTimeout, .seconds(10))) == nil {
            process.signalGroup(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(5))
        }
        process.signalGroup(SIGKILL)
        await applyRestartPolicy(name, owner, reason: reason, failed: true)
    }

    /// After the process of `generation` ended (or was stopped for failing): restart it after a backoff when the
    /// policy says so and `max_restarts` allows, else leave the instance `failed` (or `stopped` after a clean exit).
    ///
    /// `on-failure` restarts after a non-zero exit, a signal or failed probes; `always` after any end the user did
    /// not ask for. The wait is `backoff_seconds × 2^n` (n: restarts since the instance last ran stably), at most
    /// ``Configuration/maxBackoff``.
    func applyRestartPolicy(_ name: String, _ generation: Int, reason: String, failed: Bool) async {
        guard isCurrent(name, generation) else { return }
        if entries[name]?.gpu != nil {
            entries[name]?.gpu = nil
            await gpuAllocator.release(instance: name)
            guard isCurrent(name, generation) else { return }
        }
        guard let entry = entries[name] else { return }
        entries[name]?.process = nil
        entries[name]?.instance.pid = nil
        entries[name]?.runningSince = nil
        entries[name]?.cpuSample = nil
        let instance = entry.instance
        let policy = instance.restartPolicy
        let wanted = policy.mode == .always || (policy.mode == .onFailure && failed)
        let allowed = policy.maxRestarts.map { instance.restarts < $0 } ?? true
        guard wanted, allowed, !isShutDown else {
            entries[name]?.instance.lastError = failed ? reason : instance.lastError
            let suffix = wanted && !allowed ? "; max_restarts (\(policy.maxRestarts ?? 0)) reached" : ""
            setStatus(name, failed ? .failed : .stopped, reason: reason + suffix)
            try? await persist(name)
            return
        }
        let delay = Self.backoff(policy, level: entry.backoffLevel, maximum: configuration.maxBackoff)
        entries[name]?.backoffLevel += 1
        entries[name]?.instance.restarts += 1
        entries[name]?.instance.lastError = reason
        let count = instance.restarts + 1
        setStatus(name, .starting, reason: "\(reason); restart \(count) in \(delay)")
        entries[name]?.log.append("\(reason): restart \(count) in \(delay)", stream: .system, level: .warn)
        try? await persist(name)
        try? await Task.sleep(for: delay)
        guard isCurrent(name, generation), !Task.isCancelled else { return }
        try? await launch(name, reason: "restart \(count) after: \(reason)")
    }

    static func backoff(_ policy: RestartPolicy, level: Int, maximum: Duration) -> Duration {
        let seconds = policy.backoffSeconds * pow(2, Double(min(level, 30)))
        return min(Duration.instanceSeconds(seconds), maximum)
    }
}
