import AutoGitCore

/// What the agent found on its machine, as it registers it.
public struct HostInventory: Sendable, Hashable {
    /// Where the GPU list came from.
    public enum GPUSource: String, Sendable, Hashable {
        /// `--gpu-inventory FILE`.
        case inventoryFile = "inventory_file"
        /// `nvidia-smi` (and/or `rocm-smi`).
        case vendorTools = "vendor_tools"
        /// `/proc/driver/nvidia` and `/sys/class/drm`, when no vendor tool answered.
        case sysfs
        /// A batch scheduler's grant (`SLURM_JOB_GPUS`) when nothing could be detected: models unknown.
        case scheduler
        /// Nothing found.
        case none
    }

    /// The machine's host name (`gethostname`).
    public var hostname: String
    /// The CPU architecture (`uname -m`).
    public var architecture: Architecture
    /// `linux`, `darwin` …
    public var os: String
    /// The kernel release and distribution, for people (`6.1.0-18-amd64`, `Debian GNU/Linux 12 (bookworm)`).
    public var osVersion: String?
    /// CPU cores, memory and the work directory's disk, in GB.
    public var resources: RunnerResources
    /// The schedulable GPUs, indexed from 0 (a MIG slice counts as one).
    public var gpus: [GPU]
    public var gpuSource: GPUSource
    /// What a job's `CUDA_VISIBLE_DEVICES` / `HIP_VISIBLE_DEVICES` must name for each GPU index: the driver's device
    /// index, or for a MIG slice its `MIG-…` UUID.
    public var deviceIDs: [Int: String]
    /// Problems met while probing (a tool that printed an error), for the agent's log.
    public var warnings: [String]

    public init(
        hostname: String, architecture: Architecture, os: String, osVersion: String? = nil, resources: RunnerResources = RunnerResources(),
        gpus: [GPU] = [], gpuSource: GPUSource = .none, deviceIDs: [Int: String]? = nil, warnings: [String] = []
    ) {
        self.hostname = hostname
        self.architecture = architecture
        self.os = os
        self.osVersion = osVersion
        self.resources = resources
        self.gpus = gpus
        self.gpuSource = gpuSource
        self.deviceIDs = deviceIDs ?? HostInventory.defaultDeviceIDs(gpus)
        self.warnings = warnings
    }

    /// A MIG slice is named by its UUID, any other GPU by its index.
    static func defaultDeviceIDs(_ gpus: [GPU]) -> [Int: String] {
        Dictionary(gpus.map { ($0.index, $0.deviceID) }) { first, _ in first }
    }
}
