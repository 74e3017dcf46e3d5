import AutoGitCore

/// The GPUs a batch scheduler gave the agent's own job, when the agent runs inside one (Slurm starts it with
/// `SLURM_JOB_GPUS` and `CUDA_VISIBLE_DEVICES` set to its allocation).
///
/// The agent then offers exactly those GPUs: detected ones outside the grant are dropped, and when nothing could
/// be detected (no driver tools inside the job, or devices the tools cannot see) each granted index is registered
/// as a GPU of unknown model, so jobs that ask for GPUs can still be placed on it.
struct SchedulerGPUGrant: Sendable, Hashable {
    /// Physical indices (`SLURM_JOB_GPUS`, or a numeric `CUDA_VISIBLE_DEVICES`).
    var indices: [Int]
    /// UUIDs named by `CUDA_VISIBLE_DEVICES` (`GPU-…`, `MIG-…`), matched against detected GPUs.
    var uuids: [String]
    /// The variable the grant came from, for the agent's log.
    var source: String
    /// What a step's `CUDA_VISIBLE_DEVICES` names each granted GPU by: the agent's own `CUDA_VISIBLE_DEVICES` entry
    /// at the same position as its `SLURM_JOB_GPUS` entry. Slurm renumbers from 0 when device cgroups hide the other
    /// GPUs and keeps the node's numbers otherwise; the agent's variable is right either way.
    var deviceIDs: [Int: String] = [:]

    /// The grant in `environment`, or nil when the agent runs outside a scheduler's GPU allocation.
    /// `SLURM_JOB_GPUS` wins: it always names physical indices, while `CUDA_VISIBLE_DEVICES` may have been set by
    /// a user for other reasons. An empty `CUDA_VISIBLE_DEVICES` means no GPU at all.
    init?(environment: [String: String]) {
        if let slurm = environment["SLURM_JOB_GPUS"], !slurm.isEmpty {
            let indices = slurm.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !indices.isEmpty else { return nil }
            self.init(indices: indices, uuids: [], source: "SLURM_JOB_GPUS")
            let visible = (environment["CUDA_VISIBLE_DEVICES"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if visible.count == indices.count {
                deviceIDs = Dictionary(uniqueKeysWithValues: zip(indices, visible))
            }
            return
        }
        guard environment["SLURM_JOB_ID"] != nil, let visible = environment["CUDA_VISIBLE_DEVICES"] else { return nil }
        let items = visible.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(indices: items.compactMap { Int($0) }, uuids: items.filter { Int($0) == nil }, source: "CUDA_VISIBLE_DEVICES")
    }

    init(indices: [Int], uuids: [String], source: String) {
        self.indices = indices
        self.uuids = uuids
        self.source = source
    }

    /// Whether a detected GPU is part of the grant, by its index or its (or its parent's) UUID.
    func includes(_ gpu: GPU) -> Bool {
        if indices.contains(gpu.index) { return true }
        return [gpu.uuid, gpu.partition?.parentUUID].contains { uuid in uuid.map(uuids.contains) ?? false }
    }

    /// GPUs of unknown model standing for the granted indices, for when detection found none.
    var placeholderGPUs: [GPU] {
        indices.sorted().map { index in
            GPU(index: index, vendor: .nvidia, model: "GPU \(index) (granted by \(source))", memoryTotalMB: 0)
        }
    }
}
