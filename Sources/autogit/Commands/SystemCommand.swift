import AutoGitCore

/// `autogit system …`: the server itself.
enum SystemCommand {
    static let spec = CommandSpec(
        "system", abstract: "Show the server's health and version", subcommands: [status, info])

    static let status = CommandSpec(
        "status", abstract: "Show the server's health, queue and runner counts", run: runStatus)

    static let info = CommandSpec(
        "info", abstract: "Show the server's version, API version and enabled features", run: runInfo)

    static func runStatus(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let status = try await context.client().system.status()
        let output = context.output
        try output.renderDetails(status, id: status.version) {
            var details = DetailList()
            details.add("Version", status.version)
            details.add("Uptime", output.duration(status.uptime))
            if let runners = status.runners {
                details.add("Runners", "\(runners.total)" + counts(runners.byStatus))
            }
            if let jobs = status.jobs {
                details.add("Jobs", "\(jobs.total) (\(jobs.queued) queued, \(jobs.running) running)")
            }
            if let gpus = status.gpus {
                details.add("GPUs", "\(gpus.total) (\(gpus.allocated) allocated, \(gpus.available) available)")
            }
            if let instances = status.instances {
                details.add("Instances", "\(instances.total) (\(instances.running) running)")
            }
            if let resources = status.resources {
                details.add("Server CPU", resources.cpuUsage.map { output.percent($0) })
                details.add("Server disk", resources.diskUsage.map { output.percent($0) })
            }
            return details
        }
        return ExitCode.success.rawValue
    }

    static func runInfo(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let info = try await context.client().system.info()
        let output = context.output
        try output.renderDetails(info, id: info.version) {
            var details = DetailList()
            details.add("Version", info.version)
            details.add("API version", info.apiVersion)
            details.add("Host", info.hostname)
            details.add("OS", info.os)
            details.add("Architecture", info.arch)
            details.add("CPUs", String(info.cpuCount))
            details.add("Memory", output.memory(megabytes: Int(info.memoryTotal / 1_048_576)))
            details.add("Built", info.buildTime.map { output.time($0) })
            return details
        }
        return ExitCode.success.rawValue
    }

    /// " (3 idle, 1 busy)" from counts by status, largest first; empty when there are none.
    static func counts(_ byStatus: [String: Int]) -> String {
        let parts = byStatus.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.value) \($0.key)" }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }
}
