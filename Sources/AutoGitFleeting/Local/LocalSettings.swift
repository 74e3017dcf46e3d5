import AutoGitCore
import Foundation

/// The `local` plugin's settings, read and checked once by `initialize`.
struct LocalSettings: Sendable {
    var provider: String
    var agent: AgentLaunch
    var command: AgentCommand
    /// The `autogit` binary the default command runs.
    var executable: String
    var logDirectory: String
    var workingDirectory: String?
    var stopTimeout: Duration
    var maxInstances: Int?
    var offers: [Offer]

    init(_ settings: PluginSettings) throws {
        provider = try settings.validatedProviderName()
        agent = settings.agent
        command = try AgentCommand(settings: settings, plugin: "local")
        if let configured = try settings.optionalString("executable") {
            executable = configured
        } else if settings.agent.executable != "autogit" {
            executable = settings.agent.executable
        } else {
            executable = Self.currentExecutable
        }
        logDirectory =
            try settings.optionalString("log_dir")
            ?? URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("autogit-local-\(provider)").path
        workingDirectory = try settings.optionalString("working_directory")
        stopTimeout = try settings.optionalSeconds("stop_timeout") ?? .seconds(10)
        maxInstances = try settings.optionalInt("max_instances", minimum: 1)
        let gpuCount = try settings.optionalInt("gpu_count", minimum: 0) ?? 0
        offers =
            try settings.optionalOffers()
            ?? [Offer(id: "local", gpuType: try settings.optionalString("gpu_type"), gpuCount: gpuCount, hourlyPrice: 0)]
    }

    /// This program's own executable: `autogit serve` starts `autogit runner` from the same binary.
    static var currentExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
