import AutoGitCore
import Foundation

/// The `slurm` plugin's settings, read and checked once by `initialize`.
struct SlurmSettings: Sendable {
    var provider: String
    var agent: AgentLaunch
    var command: AgentCommand
    /// The `autogit` binary on the compute nodes.
    var executable: String
    /// Passed as `SLURM_CONF` to every Slurm command; nil leaves the environment's (or `/etc/slurm/slurm.conf`).
    var slurmConf: String?
    /// Where `sbatch`, `squeue` and `scancel` live; nil looks them up on `PATH`.
    var binDirectory: String?
    var partition: String?
    var account: String?
    var qos: String?
    /// Slurm's `--time` (`30`, `2:00:00`, `1-00:00:00`).
    var timeLimit: String?
    /// The GRES type to request for every shape (`a100`), overriding the shape's GPU type.
    var gresType: String?
    /// GRES types by the shape's GPU type (`{"a100": "a100_80g"}`).
    var gresTypes: [String: String]
    var extraArguments: [String]
    /// The job's output file (`%x` is the job name, `%j` its id).
    var output: String
    var workingDirectory: String?
    var commandTimeout: Duration
    var maxInstances: Int?
    var offers: [Offer]

    init(_ settings: PluginSettings) throws {
        provider = try settings.validatedProviderName()
        agent = settings.agent
        command = try AgentCommand(settings: settings, plugin: "slurm")
        executable = try settings.optionalString("executable") ?? settings.agent.executable
        slurmConf = try settings.optionalString("slurm_conf")
        binDirectory = try settings.optionalString("bin_dir")
        partition = try settings.optionalString("partition")
        account = try settings.optionalString("account")
        qos = try settings.optionalString("qos")
        if let minutes = try? settings.optionalInt("time_limit", minimum: 1) {
            timeLimit = String(minutes)
        } else {
            timeLimit = try settings.optionalString("time_limit")
        }
        gresType = try settings.optionalString("gres_type")
        gresTypes = try settings.optionalStringMap("gres_types") ?? [:]
        extraArguments = try settings.optionalStrings("extra_arguments") ?? []
        output = try settings.optionalString("output") ?? "/tmp/autogit-%x-%j.log"
        workingDirectory = try settings.optionalString("working_directory")
        commandTimeout = try settings.optionalSeconds("command_timeout") ?? .seconds(30)
        maxInstances = try settings.optionalInt("max_instances", minimum: 1)
        let gpuCount = try settings.optionalInt("gpu_count", minimum: 0) ?? 1
        offers =
            try settings.optionalOffers()
            ?? [Offer(id: "slurm", gpuType: try settings.optionalString("gpu_type"), gpuCount: gpuCount)]
    }

    /// The path or name of a Slurm client program.
    func tool(_ name: String) -> String {
        guard let binDirectory else { return name }
        return URL(fileURLWithPath: binDirectory).appendingPathComponent(name).path
    }

    var environment: [String: String] { slurmConf.map { ["SLURM_CONF": $0] } ?? [:] }

    /// The comment that marks this provider's jobs.
    var comment: String { "autogit:provider=\(provider)" }
}
