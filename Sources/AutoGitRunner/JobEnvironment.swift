import AutoGitCore

/// The environment a job's step runs with.
///
/// In order, later entries winning: the agent's own environment (without the agent's credentials,
/// `AUTOGIT_REGISTRATION_TOKEN` and `AUTOGIT_TOKEN`, and without the `AUTOGIT_FLEETING_*` tags a fleeting plugin
/// puts on the agent, so a step is never mistaken for an agent); the job's `environment`; then what the agent sets:
/// `AUTOGIT_JOB_ID`, `AUTOGIT_JOB_NAME`, `AUTOGIT_JOB_ATTEMPT`, `AUTOGIT_RUNNER_ID`, `AUTOGIT_STEP_NAME`,
/// `AUTOGIT_STEP_INDEX` (from 0), `AUTOGIT_WORK_DIR`, and the GPU variables of ``gpuVariables(for:inventory:)``.
/// A job cannot override the GPU variables: it sees exactly the GPUs allocated to it.
enum JobEnvironment {
    /// Variables of the agent's environment that steps never see.
    static let withheld: Set<String> = ["AUTOGIT_REGISTRATION_TOKEN", "AUTOGIT_TOKEN"]

    static func variables(
        base: [String: String], job: Job, runnerID: String, stepIndex: Int, workDirectory: String, inventory: HostInventory
    ) -> [String: String] {
        var environment = base.filter { !withheld.contains($0.key) && !$0.key.hasPrefix("AUTOGIT_FLEETING_") }
        environment.merge(job.spec.environment) { _, job in job }
        environment["AUTOGIT_JOB_ID"] = job.id
        environment["AUTOGIT_JOB_NAME"] = job.spec.name
        environment["AUTOGIT_JOB_ATTEMPT"] = String(job.attempt)
        environment["AUTOGIT_RUNNER_ID"] = runnerID
        if job.spec.steps.indices.contains(stepIndex) {
            environment["AUTOGIT_STEP_NAME"] = job.spec.steps[stepIndex].name
        }
        environment["AUTOGIT_STEP_INDEX"] = String(stepIndex)
        environment["AUTOGIT_WORK_DIR"] = workDirectory
        environment.merge(gpuVariables(for: job.gpuIndices, inventory: inventory)) { _, gpu in gpu }
        return environment
    }

    /// `CUDA_VISIBLE_DEVICES` and `NVIDIA_VISIBLE_DEVICES` name the allocated NVIDIA GPUs, `HIP_VISIBLE_DEVICES`
    /// the allocated AMD ones, comma-separated, each as ``HostInventory/deviceIDs`` says (the driver's index, or a
    /// MIG slice's UUID). All three are always set: a variable with no GPU of its vendor is set to the empty string,
    /// which CUDA, ROCm/HIP and the NVIDIA container toolkit all read as "no GPU", so a job without GPUs cannot
    /// reach GPUs that other jobs hold. Intel GPUs get no variable; an allocated
    /// index the agent does not know is passed as an NVIDIA index.
    static func gpuVariables(for allocation: [Int], inventory: HostInventory) -> [String: String] {
        var nvidia: [String] = []
        var amd: [String] = []
        for index in allocation.sorted() {
            let gpu = inventory.gpus.first { $0.index == index }
            let deviceID = inventory.deviceIDs[index] ?? String(index)
            switch gpu?.vendor ?? .nvidia {
            case .amd: amd.append(deviceID)
            case .intel: continue
            default: nvidia.append(deviceID)
            }
        }
        let nvidiaList = nvidia.joined(separator: ",")
        return [
            "CUDA_VISIBLE_DEVICES": nvidiaList,
            "NVIDIA_VISIBLE_DEVICES": nvidiaList,
            "HIP_VISIBLE_DEVICES": amd.joined(separator: ","),
        ]
    }
}
