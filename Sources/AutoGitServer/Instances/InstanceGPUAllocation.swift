/// GPUs given to an instance while it runs, and the environment that makes exactly those visible to it.
public struct InstanceGPUAllocation: Sendable, Hashable {
    /// The GPUs' ids or indices, as the allocator names them.
    public var gpus: [String]
    /// Added to the process's environment (`CUDA_VISIBLE_DEVICES=0,1`, `HIP_VISIBLE_DEVICES=…`).
    public var environment: [String: String]

    public init(gpus: [String], environment: [String: String]) {
        self.gpus = gpus
        self.environment = environment
    }
}
