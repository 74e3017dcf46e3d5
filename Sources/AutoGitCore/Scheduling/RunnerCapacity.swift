/// What a runner can take now, as the ``Scheduler`` sees it: its labels and architecture, the job slots left under
/// its concurrency, and its GPUs with their current holders.
public struct RunnerCapacity: Sendable, Hashable, Identifiable {
    public var id: String
    /// Matched case-insensitively against a job's required labels.
    public var labels: [String]
    public var architecture: Architecture?
    /// Jobs the runner may start now: its concurrency minus the jobs it runs. Never negative in effect.
    public var freeSlots: Int
    /// Every GPU of the runner. Only healthy ones count; a GPU is free when ``GPU/isAvailable`` (healthy, held by no
    /// job and no instance). A GPU a model-serving instance holds is never reserved for a blocked job.
    public var gpus: [GPU]
    /// Whether the runner takes new jobs at all (its status is active, idle or busy). Runners that do not are
    /// ignored, as if absent.
    public var acceptsJobs: Bool

    public init(
        id: String, labels: [String] = [], architecture: Architecture? = nil, freeSlots: Int, gpus: [GPU] = [],
        acceptsJobs: Bool = true
    ) {
        self.id = id
        self.labels = labels
        self.architecture = architecture
        self.freeSlots = freeSlots
        self.gpus = gpus
        self.acceptsJobs = acceptsJobs
    }

    /// The capacity of `runner` while it runs `runningJobs` jobs: `max_concurrent_jobs` (at least 1) minus those,
    /// with its GPUs as they are allocated now.
    public init(runner: Runner, runningJobs: Int) {
        self.init(
            id: runner.id, labels: runner.labels, architecture: runner.architecture,
            freeSlots: max(0, max(1, runner.maxConcurrentJobs ?? 1) - runningJobs), gpus: runner.gpus,
            acceptsJobs: runner.status.acceptsJobs)
    }
}
