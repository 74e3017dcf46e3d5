import AutoGitCore

extension OutputRenderer {
    func instanceTable(_ instances: [Instance]) -> Table {
        Table(
            columns: [
                .init("name"), .init("status"), .init("backend"), .init("port", alignment: .right), .init("model"),
                .init("uptime", alignment: .right), .init("restarts", alignment: .right), .init("pid", alignment: .right, isWideOnly: true),
                .init("memory", alignment: .right, isWideOnly: true), .init("on demand", isWideOnly: true),
            ],
            rows: instances.map { instance in
                [
                    Table.Cell(instance.name), status(instance.status.rawValue), Table.Cell(instance.backend.rawValue),
                    Table.Cell(instance.port.map(String.init) ?? "-"), Table.Cell(instance.modelPath ?? instance.command ?? "-"),
                    Table.Cell(duration(instance.stats?.uptime)), Table.Cell(String(instance.restarts)),
                    Table.Cell(instance.pid.map(String.init) ?? "-"),
                    Table.Cell(instance.stats?.memoryUsage.map { memory(megabytes: $0 / 1_048_576) } ?? "-"),
                    Table.Cell(instance.onDemand ? "yes" : "no"),
                ]
            })
    }

    func instanceDetails(_ instance: Instance) -> DetailList {
        var details = DetailList()
        details.add("Name", instance.name)
        details.add("Status", status(instance.status.rawValue))
        details.add("Backend", instance.backend.rawValue)
        details.add("Model", instance.modelPath)
        details.add("Command", instance.command)
        details.add("Port", instance.port.map(String.init))
        details.add("PID", instance.pid.map(String.init))
        details.add("GPUs", instance.gpu.map { "\($0.count)×\($0.type ?? "any")" })
        var policy = instance.restartPolicy.mode.rawValue
        if let most = instance.restartPolicy.maxRestarts { policy += " (at most \(most))" }
        details.add("Restart", policy)
        details.add("Restarts", String(instance.restarts))
        details.add(
            "On demand",
            instance.onDemand ? "yes" + (instance.idleTimeout.map { ", stops after \(duration(Double($0))) idle" } ?? "") : "no")
        details.add("Health path", instance.healthPath)
        details.add("Memory", instance.stats?.memoryUsage.map { memory(megabytes: $0 / 1_048_576) })
        details.add("CPU", instance.stats?.cpuUsage.map { percent($0) })
        details.add("Uptime", instance.stats?.uptime.map { duration($0) })
        details.add("Last error", instance.lastError, style: .red)
        details.add("Created", instance.createdAt.map { time($0) })
        return details
    }
}
