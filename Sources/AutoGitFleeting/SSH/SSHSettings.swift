import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `ssh` plugin's settings, read and checked once by `initialize`.
struct SSHSettings: Sendable {
    var provider: String
    var agent: AgentLaunch
    var command: AgentCommand
    var hosts: [SSHHost]
    /// The `autogit` binary on the hosts.
    var executable: String
    var keyPath: String?
    var knownHostsFile: String?
    /// `yes`, `no` or `accept-new`.
    var strictHostKeyChecking: String
    var remoteLogDirectory: String
    var connectTimeout: Int
    var commandTimeout: Duration
    var stopTimeout: Duration
    var sshExecutable: String
    var sshOptions: [String]
    var maxInstances: Int?
    var offers: [Offer]

    init(_ settings: PluginSettings) throws {
        provider = try settings.validatedProviderName()
        agent = settings.agent
        command = try AgentCommand(settings: settings, plugin: "ssh")
        executable = try settings.optionalString("remote_executable") ?? settings.optionalString("executable") ?? settings.agent.executable
        keyPath = try settings.optionalString("key_path")
        knownHostsFile = try settings.optionalString("known_hosts_file")
        if let strict = try? settings.optionalBool("strict_host_key_checking") {
            strictHostKeyChecking = strict ? "yes" : "no"
        } else {
            strictHostKeyChecking = try settings.optionalString("strict_host_key_checking") ?? "yes"
        }
        guard ["yes", "no", "accept-new"].contains(strictHostKeyChecking) else {
            throw settings.configurationError("strict_host_key_checking", "must be yes, no, accept-new, true or false")
        }
        remoteLogDirectory = try settings.optionalString("remote_log_dir") ?? "/tmp"
        connectTimeout = try settings.optionalInt("connect_timeout", minimum: 1) ?? 10
        commandTimeout = try settings.optionalSeconds("command_timeout") ?? .seconds(30)
        stopTimeout = try settings.optionalSeconds("stop_timeout") ?? .seconds(10)
        sshExecutable = try settings.optionalString("ssh_executable") ?? "ssh"
        sshOptions = try settings.optionalStrings("ssh_options") ?? []

        let defaultUser = try settings.optionalString("user") ?? Self.currentUser
        let defaultPort = try settings.optionalInt("port", minimum: 1) ?? 22
        let perHost = try settings.optionalInt("instances_per_host", minimum: 1) ?? 1
        guard case .array(let entries)? = settings.settings["hosts"], !entries.isEmpty else {
            throw settings.configurationError("hosts", "must list at least one host (an address, or {\"address\", \"port\", \"user\"})")
        }
        hosts = try entries.enumerated().map { index, entry in
            if let address = entry.stringValue {
                return SSHHost(name: address, address: address, port: defaultPort, user: defaultUser, maxInstances: perHost)
            }
            guard let address = entry["address"]?.stringValue else {
                throw settings.configurationError("hosts[\(index)]", "must be an address or an object with an address")
            }
            return SSHHost(
                name: entry["name"]?.stringValue ?? address, address: address, port: entry["port"]?.intValue ?? defaultPort,
                user: entry["user"]?.stringValue ?? defaultUser, maxInstances: entry["max_instances"]?.intValue ?? perHost)
        }
        guard Set(hosts.map(\.name)).count == hosts.count else {
            throw settings.configurationError("hosts", "has two hosts with the same name; give them distinct \"name\"s")
        }
        maxInstances = try settings.optionalInt("max_instances", minimum: 1) ?? hosts.reduce(0) { $0 + $1.maxInstances }
        offers =
            try settings.optionalOffers()
            ?? [
                Offer(
                    id: "ssh", gpuType: try settings.optionalString("gpu_type"),
                    gpuCount: try settings.optionalInt("gpu_count", minimum: 0) ?? 0,
                    hourlyPrice: 0)
            ]
    }

    /// The `ssh` command line that runs `remoteCommand` on `host`, never prompting.
    func ssh(_ host: SSHHost, _ remoteCommand: String, timeout: Duration? = nil) -> Command {
        var arguments = [
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=\(strictHostKeyChecking)", "-o", "ConnectTimeout=\(connectTimeout)",
            "-o", "LogLevel=ERROR", "-p", String(host.port), "-l", host.user,
        ]
        if let knownHostsFile { arguments += ["-o", "UserKnownHostsFile=\(knownHostsFile)"] }
        if let keyPath { arguments += ["-i", keyPath, "-o", "IdentitiesOnly=yes"] }
        arguments += sshOptions
        arguments += ["--", host.address, remoteCommand]
        return Command(sshExecutable, arguments, timeout: timeout ?? commandTimeout)
    }

    static var currentUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
