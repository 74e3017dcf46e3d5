extension JobRequirements {
    /// Whether `runner` could ever run a job with these requirements: pinned runner, every label, architecture,
    /// and enough GPUs of the right type and memory in total (whether or not they are free now).
    public func isSatisfied(by runner: Runner) -> Bool {
        if let runnerID, runnerID != runner.id { return false }
        let runnerLabels = Set(runner.labels.map { $0.lowercased() })
        guard labels.allSatisfy({ runnerLabels.contains($0.lowercased()) }) else { return false }
        if let architecture, let runnerArchitecture = runner.architecture, architecture != runnerArchitecture {
            return false
        }
        if architecture != nil, runner.architecture == nil { return false }
        guard let gpu, gpu.count > 0 else { return true }
        return runner.gpus.filter { $0.health == .healthy && gpu.accepts($0) }.count >= gpu.count
    }

    /// The GPU indices to give a job with these requirements on `runner` now, or nil when the runner does not
    /// satisfy them or has too few free GPUs. An empty array means the job needs no GPU.
    ///
    /// Picks the free accepted GPUs with the least memory that still qualifies, so big GPUs stay free for jobs
    /// that need them, and lower indices first among equals.
    public func gpuAllocation(on runner: Runner) -> [Int]? {
        guard isSatisfied(by: runner) else { return nil }
        guard let gpu, gpu.count > 0 else { return [] }
        let candidates = runner.gpus
            .filter { $0.isAvailable && gpu.accepts($0) }
            .sorted { ($0.memoryTotalMB, $0.index) < ($1.memoryTotalMB, $1.index) }
        guard candidates.count >= gpu.count else { return nil }
        return candidates.prefix(gpu.count).map(\.index).sorted()
    }
}
