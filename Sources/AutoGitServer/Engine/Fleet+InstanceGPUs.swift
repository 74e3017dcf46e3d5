import AutoGitCore
import Foundation

/// GPUs held by a model-serving instance: which runner's, and which of its indices.
public struct InstanceGPUHold: Sendable, Hashable {
    public var runnerID: String
    public var gpus: [GPU]
}

extension Fleet {
    /// Gives the instance `name` GPUs meeting `requirement`, all on one runner that `isEligible` accepts (the server
    /// passes the runners of its own host, where the instance's process runs). The GPUs are marked
    /// `allocated_instance` and committed before this returns, so no scheduling pass can give them to a job, and a
    /// `gpu_allocated` event names the instance. Whatever `name` held before is let go first.
    ///
    /// Of the runners with enough free matching GPUs, the one with the fewest such GPUs is chosen (best fit, as the
    /// scheduler packs jobs), then the lowest id; on it, the lowest indices.
    ///
    /// - Throws: 503 `RESOURCE_UNAVAILABLE` naming what is missing: no eligible runner reports GPUs, or those that
    ///   do have too few free ones of that kind.
    public func holdGPUs(
        for name: String, _ requirement: GPURequirement, onRunners isEligible: @Sendable (Runner) -> Bool
    ) async throws(ServerError) -> InstanceGPUHold {
        var changes = letGoOfGPUs(heldBy: name)
        let eligible = runners.values.filter { isEligible($0) && !$0.gpus.isEmpty }
        var best: (runner: Runner, free: [GPU])?
        for runner in eligible.sorted(by: { $0.id < $1.id }) {
            let free = Self.free(runner, requirement)
            guard free.count >= requirement.count else { continue }
            if best.map({ free.count < $0.free.count }) ?? true { best = (runner, free) }
        }
        guard let best else {
            if !changes.isEmpty { try await commit(changes) }
            throw unavailable(requirement, for: name, among: eligible)
        }
        var runner = best.runner
        let chosen = Set(best.free.prefix(requirement.count).map(\.index))
        for position in runner.gpus.indices where chosen.contains(runner.gpus[position].index) {
            runner.gpus[position].allocatedInstance = name
        }
        let held = runner.gpus.filter { chosen.contains($0.index) }.sorted { $0.index < $1.index }
        changes.append(save(runner))
        logRunner(runner.id, "GPUs \(held.map(\.index)) held by instance '\(name)'", context: ["instance": .string(name)])
        events.publish(
            .gpuAllocated,
            [
                "instance": .string(name), "runner_id": .string(runner.id), "gpu_ids": .array(held.map { .string($0.id) }),
                "gpu_indices": .array(held.map { .number(Double($0.index)) }),
            ],
            at: now())
        try await commit(changes)
        return InstanceGPUHold(runnerID: runner.id, gpus: held)
    }

    /// Frees the GPUs the instance `name` holds, if any, and lets queued jobs have them.
    public func releaseGPUs(heldBy name: String) async {
        let changes = letGoOfGPUs(heldBy: name)
        guard !changes.isEmpty else { return }
        requestSchedulingPass()
        try? await commit(changes)
    }

    /// Frees the GPUs of every instance not in `names`: after a restart, holds of instances that no longer run.
    public func releaseInstanceGPUs(except names: Set<String>) async {
        let stale = Set(instanceGPUHolds.keys).subtracting(names)
        var changes: [StoreChange] = []
        for name in stale.sorted() { changes += letGoOfGPUs(heldBy: name) }
        guard !changes.isEmpty else { return }
        requestSchedulingPass()
        try? await commit(changes)
    }

    /// What each instance holds, as the runners' GPUs record it (they are journalled with the runner, so a hold
    /// survives a restart until the instance manager confirms or drops it).
    public var instanceGPUHolds: [String: InstanceGPUHold] {
        var holds: [String: InstanceGPUHold] = [:]
        for runner in runners.values {
            for gpu in runner.gpus.sorted(by: { $0.index < $1.index }) {
                guard let name = gpu.allocatedInstance else { continue }
                holds[name, default: InstanceGPUHold(runnerID: runner.id, gpus: [])].gpus.append(gpu)
            }
        }
        return holds
    }

    /// Clears `name`'s marks in memory and returns the runners to save.
    private func letGoOfGPUs(heldBy name: String) -> [StoreChange] {
        var changes: [StoreChange] = []
        for var runner in runners.values where runner.gpus.contains(where: { $0.allocatedInstance == name }) {
            for position in runner.gpus.indices where runner.gpus[position].allocatedInstance == name {
                runner.gpus[position].allocatedInstance = nil
            }
            logRunner(runner.id, "GPUs released by instance '\(name)'", context: ["instance": .string(name)])
            changes.append(save(runner))
        }
        return changes
    }

    /// The runner's GPUs an instance asking for `requirement` could hold now, by index.
    private static func free(_ runner: Runner, _ requirement: GPURequirement) -> [GPU] {
        runner.gpus.filter { $0.isAvailable && requirement.accepts($0) }.sorted { $0.index < $1.index }
    }

    private func unavailable(_ requirement: GPURequirement, for name: String, among eligible: [Runner]) -> ServerError {
        var wanted = "\(requirement.count)"
        if let type = requirement.type { wanted += " \(type)" }
        wanted += " GPU(s)"
        if let memory = requirement.minMemoryGB { wanted += " with at least \(String(format: "%g", memory)) GiB" }
        let message: String
        if eligible.isEmpty {
            message =
                "Instance '\(name)' needs \(wanted) and no runner on this server's host reports any; start `autogit runner` "
                + "here (with --gpu-inventory FILE where detection fails) so instances and jobs share its GPUs, or name its "
                + "host in instances.gpu_hosts"
        } else {
            let free = eligible.map { runner in
                "\(runner.name): \(Self.free(runner, requirement).count) free of \(runner.gpus.count)"
            }
            message = "Instance '\(name)' needs \(wanted) on one runner of this host; \(free.joined(separator: ", "))"
        }
        return ServerError(
            .resourceUnavailable, status: 503, message,
            details: [
                "instance": .string(name), "gpu_count": .number(Double(requirement.count)),
                "runners": .array(eligible.map { .string($0.id) }),
            ])
    }
}
