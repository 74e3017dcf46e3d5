import AutoGitCore

extension OutputRenderer {
    func gpuTable(_ gpus: [GPU], showsRunner: Bool = true) -> Table {
        var columns: [Table.Column] = [
            .init("id"), .init("model"), .init("memory", alignment: .right), .init("util", alignment: .right), .init("health"),
            .init("holder"), .init("uuid", isWideOnly: true), .init("temp", alignment: .right, isWideOnly: true),
            .init("driver", isWideOnly: true),
        ]
        if showsRunner { columns.insert(.init("runner"), at: 1) }
        return Table(
            columns: columns,
            rows: gpus.map { gpu in
                var row: [Table.Cell] = [
                    Table.Cell(gpu.id), Table.Cell(Self.shortModel(gpu.model)), Table.Cell(memory(megabytes: gpu.memoryTotalMB)),
                    Table.Cell(percent(gpu.utilization)), status(gpu.health.rawValue), holder(of: gpu),
                    Table.Cell(gpu.uuid ?? "-"), Table.Cell(gpu.temperature.map { Self.decimal($0) + "°C" } ?? "-"),
                    Table.Cell(gpu.driverVersion ?? "-"),
                ]
                if showsRunner { row.insert(Table.Cell(gpu.runnerID ?? "-"), at: 1) }
                return row
            })
    }

    /// Who holds the GPU: a job, an instance, or "free".
    func holder(of gpu: GPU) -> Table.Cell {
        if let job = gpu.allocatedJobID { return Table.Cell(job) }
        if let instance = gpu.allocatedInstance { return Table.Cell("instance " + instance) }
        return Table.Cell("free", style: .green)
    }

    func gpuDetails(_ gpu: GPU) -> DetailList {
        var details = DetailList()
        details.add("ID", gpu.id)
        details.add("Runner", gpu.runnerID)
        details.add("Index", String(gpu.index))
        details.add("Model", gpu.model)
        details.add("Vendor", gpu.vendor.rawValue)
        details.add("UUID", gpu.uuid)
        details.add("Memory", memory(megabytes: gpu.memoryTotalMB))
        details.add("Memory used", gpu.memoryUsedMB.map { memory(megabytes: $0) })
        details.add("Utilisation", gpu.utilization.map { percent($0) })
        details.add("Temperature", gpu.temperature.map { Self.decimal($0) + "°C" })
        details.add("Driver", gpu.driverVersion)
        details.add("Health", status(gpu.health.rawValue))
        details.add("Held by", holder(of: gpu))
        return details
    }
}
