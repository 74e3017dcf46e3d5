/// `autogit providers …`: the plugins that provision runners.
enum ProvidersCommand {
    static let spec = CommandSpec(
        "providers", abstract: "Show the plugins that provision runners", subcommands: [list])

    static let list = CommandSpec(
        "list", abstract: "List providers with their capacity and health", aliases: ["ls"],
        options: [.value("gpu-type", valueName: "type", help: "Only providers offering this GPU family or model")],
        run: runList)

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let providers = try await context.client().providers.list(gpuType: arguments.value("gpu-type"))
        let output = context.output
        try output.render(providers, ids: providers.map(\.name)) {
            Table(
                columns: [
                    .init("name"), .init("type"), .init("status"), .init("instances", alignment: .right), .init("offers"),
                    .init("cheapest", alignment: .right), .init("capabilities", isWideOnly: true), .init("version", isWideOnly: true),
                ],
                rows: providers.map { provider in
                    let capacity = provider.maxInstances.map { "\(provider.instanceCount)/\($0)" } ?? String(provider.instanceCount)
                    let offers = provider.offers.map { offer in
                        offer.gpuCount > 0 ? "\(offer.gpuCount)×\(offer.gpuType ?? "gpu")" : "cpu"
                    }
                    let cheapest = provider.offers.compactMap { offer in offer.hourlyPrice.map { ($0, offer.currency) } }.min {
                        $0.0 < $1.0
                    }
                    return [
                        Table.Cell(provider.name), Table.Cell(provider.type), output.status(provider.status ?? "-"), Table.Cell(capacity),
                        Table.Cell(output.list(offers)),
                        Table.Cell(cheapest.map { String(format: "%.2f %@/h", $0.0, $0.1) } ?? "-"),
                        Table.Cell(output.list(provider.capabilities)), Table.Cell(provider.version ?? "-"),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }
}
