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

    /// The visibility variables for the allocated GPUs (``GPUVisibility``), each named as ``HostInventory/deviceIDs``
    /// says (the driver's index, or a MIG slice's UUID); an allocated index the agent does not know is passed as an
    /// NVIDIA index.
    static func gpuVariables(for allocation: [Int], inventory: HostInventory) -> [String: String] {
        let gpus = allocation.map { index in
            inventory.gpus.first { $0.index == index } ?? GPU(index: index, vendor: .nvidia, model: "", memoryTotalMB: 0)
        }
        return GPUVisibility.environment(for: gpus) { inventory.deviceIDs[$0.index] ?? $0.deviceID }
    }
}
