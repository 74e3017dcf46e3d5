import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension InstanceManager {
    /// Deals with what the previous server left behind; call it once, before serving requests.
    ///
    /// For each instance whose process was recorded as running (the server crashed or was killed):
    /// - the same process still runs (same pid and `/proc` start time, same process group) and answers its health
    ///   probe within ``Configuration/adoptionTimeout``: it is adopted, `running`, supervised again (its output is
    ///   no longer captured: its stdout and stderr went to the old server);
    /// - otherwise whatever is left of its process group is killed (SIGTERM, then SIGKILL), and the instance is
    ///   started again when its policy is `always` or `on-failure` (a server crash counts as a failure), or left
    ///   `stopped` with `never`.
    ///
    /// Instances the previous server stopped at a clean shutdown are started again when their policy is `always`.
    /// GPUs an adopted instance held stay its own; what any other instance held is freed.
    @discardableResult
    public func recover() async -> InstanceRecoveryReport {
        var report = InstanceRecoveryReport()
        var toStart: [String] = []
        // Probe every orphan at once: each may take up to the adoption timeout.
        let candidates = entries.compactMap { name, entry in entry.recordedProcess.map { (name, $0) } }
        let adoptable = await withTaskGroup(of: (String, InstanceProcess?).self) { group in
            for (name, record) in candidates {
                group.addTask { (name, await self.adoptableProcess(record, name: name)) }
            }
            var found: [String: InstanceProcess] = [:]
            for await (name, process) in group { found[name] = process }
            return found
        }
        for name in entries.keys.sorted() {
            guard let entry = entries[name] else { continue }
            let policy = entry.instance.restartPolicy.mode
            let resumes = policy == .always || policy == .onFailure
            if let record = entry.recordedProcess {
                if let process = adoptable[name] {
                    adopt(name, process)
                    report.adopted[name] = process.pid
                } else {
                    if await killLeftovers(of: record) { report.killed[name] = record.pid }
                    entries[name]?.recordedProcess = nil
                    entries[name]?.instance.pid = nil
                    entries[name]?.log.append(
                        "the server stopped while pid \(record.pid) ran; nothing of it runs now", stream: .system, level: .warn)
                    if !resumes { entries[name]?.instance.lastError = "stopped by a server restart" }
                    setStatus(name, .stopped, reason: "the server restarted while it ran")
                    if resumes { toStart.append(name) }
                }
            } else if [.starting, .running, .stopping].contains(entry.instance.status) {
                entries[name]?.instance.pid = nil
                setStatus(name, .stopped, reason: "the server restarted")
                if resumes { toStart.append(name) }
            } else if entry.resumeOnStart && policy == .always {
                toStart.append(name)
            }
            entries[name]?.resumeOnStart = false
        }
        // GPU holds outlive a crash: an adopted instance keeps its own, every other hold is stale.
        for name in report.adopted.keys.sorted() where entries[name]?.instance.gpu != nil {
            entries[name]?.gpu = await gpuAllocator.allocation(ofInstance: name)
        }
        await gpuAllocator.releaseAll(except: Set(report.adopted.keys))
        for name in entries.keys.sorted() { try? await persist(name) }
        for name in toStart {
            guard let entry = entries[name], Self.isStopped(entry) else { continue }
            let policy = entry.instance.restartPolicy.mode.rawValue
            do {
                try await launch(name, reason: "started again after a server restart (restart policy \(policy))")
                report.restarted.append(name)
            } catch {
                entries[name]?.log.append("could not start after a server restart: \(error.message)", stream: .system, level: .error)
            }
        }
        return report
    }

    /// The recorded process, when it is still the same one and serving.
    private func adoptableProcess(_ record: InstanceRecord.Process, name: String) async -> InstanceProcess? {
        guard let recordedTicks = record.startTicks, let stat = ProcFS.stat(record.pid), !stat.isZombie,
            stat.startTicks == recordedTicks, stat.processGroup == record.processGroup,
            let healthPath = entries[name]?.instance.healthPath
        else { return nil }
        let probe = InstanceHealthProbe(port: record.port, path: healthPath, timeout: configuration.probeTimeout)
        let deadline = ContinuousClock.now + configuration.adoptionTimeout
        while true {
            if await probe.check(processAlive: true).isHealthy, !ProcFS.isGone(record.pid) {
                return InstanceProcess.adopt(pid: record.pid, processGroup: record.processGroup, startTicks: recordedTicks)
            }
            guard ContinuousClock.now < deadline, !ProcFS.isGone(record.pid) else { return nil }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private func adopt(_ name: String, _ process: InstanceProcess) {
        let generation = nextGeneration(name)
        spawnedProcessGroups.insert(process.processGroup)
        entries[name]?.process = process
        entries[name]?.recordedProcess = nil
        entries[name]?.instance.pid = process.pid
        entries[name]?.runningSince = .now
        entries[name]?.resumeOnStart = false
        entries[name]?.log.append(
            "adopted pid \(process.pid) after a server restart; its output is no longer captured (restart it to capture it again)",
            stream: .system, level: .warn)
        setStatus(name, .running, reason: "adopted after a server restart")
        entries[name]?.tasks = [
            Task { await self.watchExit(name, generation, process) },
            Task { await self.supervise(name, generation, process, startPhase: false) },
        ]
    }

    /// Kills what is left of a recorded process group: the leader if it is still the recorded process, and any
    /// other member of the group. Returns whether anything was found.
    private func killLeftovers(of record: InstanceRecord.Process) async -> Bool {
        await BlockingCall.run("autogit-instance-recover") {
            func leftovers() -> [ProcFS.Stat] {
                ProcFS.members(ofGroup: record.processGroup).filter { member in
                    member.pid != record.pid || member.startTicks == record.startTicks
                }
            }
            var found = leftovers()
            guard !found.isEmpty else { return false }
            for signal in [SIGTERM, SIGKILL] {
                for member in found { kill(member.pid, signal) }
                let deadline = ContinuousClock.now + .seconds(5)
                while !found.isEmpty && ContinuousClock.now < deadline {
                    usleep(50_000)
                    found = leftovers()
                }
                if found.isEmpty { break }
            }
            return true
        }
    }
}
