/// The environment variables every built-in plugin sets on the agent it starts. They tag the process (or Slurm job)
/// so that leftovers can be found after a crash, and tell the agent who it is.
public enum FleetingTags {
    /// The provider's configured name (`slurm-a100`).
    public static let provider = "AUTOGIT_FLEETING_PROVIDER"
    /// The plugin kind (`local`, `ssh`, `slurm`, `exec`).
    public static let plugin = "AUTOGIT_FLEETING_PLUGIN"
    /// The runner name the agent registers with.
    public static let runnerName = "AUTOGIT_RUNNER_NAME"
    public static let serverURL = "AUTOGIT_SERVER_URL"
    public static let registrationToken = "AUTOGIT_REGISTRATION_TOKEN"
    /// Comma-separated labels of the runner.
    public static let labels = "AUTOGIT_RUNNER_LABELS"
    /// The GPUs the instance was provisioned with (count and family), which the agent may check against what it finds.
    public static let gpuCount = "AUTOGIT_GPU_COUNT"
    public static let gpuType = "AUTOGIT_GPU_TYPE"
}
