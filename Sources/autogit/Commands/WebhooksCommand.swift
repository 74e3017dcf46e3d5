import AutoGitCore

/// `autogit webhooks …`: HTTP callbacks for events.
enum WebhooksCommand {
    static let webhookID = ArgumentSpec("id", help: "The webhook's id")

    static let spec = CommandSpec(
        "webhooks", abstract: "Send events to HTTP endpoints",
        discussion: """
            Each delivery is signed with the webhook's secret (X-AutoGit-Signature: sha256=<hex HMAC of the body>) \
            and retried with backoff.
            """,
        subcommands: [list, get, create, update, delete, deliveries])

    static let list = CommandSpec("list", abstract: "List webhooks", aliases: ["ls"], run: runList)

    static let get = CommandSpec("get", abstract: "Show one webhook", aliases: ["show"], arguments: [webhookID], run: runGet)

    static let create = CommandSpec(
        "create", abstract: "Create a webhook",
        options: [
            .value("url", valueName: "url", help: "Where to POST events"),
            .repeatable("event", valueName: "type", help: "An event type to send (default: all)"),
            .value("description", valueName: "text", help: "What the webhook is for"),
            .value("secret", valueName: "secret", help: "Signing secret (default: generated and shown once)"),
            .flag("inactive", help: "Create it switched off"),
        ],
        examples: [.init("autogit webhooks create --url https://ci.example.com/hook --event job_status_changed", "Job updates to CI")],
        run: runCreate)

    static let update = CommandSpec(
        "update", abstract: "Change a webhook's URL, events, description, state or secret", arguments: [webhookID],
        options: [
            .value("url", valueName: "url", help: "Where to POST events"),
            .repeatable("event", valueName: "type", help: "Send only these event types (replaces the list)"),
            .flag("all-events", help: "Send every event type"),
            .value("description", valueName: "text", help: "What the webhook is for (empty removes it)"),
            .flag("enable", help: "Switch it on"),
            .flag("disable", help: "Switch it off"),
            .value("secret", valueName: "secret", help: "A new signing secret of your own"),
            .flag("rotate-secret", help: "Generate a new signing secret and show it once"),
        ],
        examples: [
            .init("autogit webhooks update whk-1 --disable", "Pause deliveries"),
            .init("autogit webhooks update whk-1 --rotate-secret", "Replace the signing secret"),
        ],
        run: runUpdate)

    static let delete = CommandSpec(
        "delete", abstract: "Delete webhooks", aliases: ["rm"],
        arguments: [ArgumentSpec("id", help: "Ids of the webhooks to delete", isVariadic: true)],
        run: runDelete)

    static let deliveries = CommandSpec(
        "deliveries", abstract: "Show a webhook's recent deliveries and their results", arguments: [webhookID],
        options: [
            .value(
                "status", valueName: "status", help: "Only deliveries in this state",
                allowedValues: WebhookDelivery.Status.allCases.map(\.rawValue)),
            .value("limit", valueName: "n", help: "Show at most this many deliveries", defaultValue: "50"),
        ],
        run: runDeliveries)

    static func webhookTable(_ webhooks: [Webhook], _ output: OutputRenderer) -> Table {
        Table(
            columns: [
                .init("id"), .init("url"), .init("events"), .init("active"), .init("created"), .init("description", isWideOnly: true),
            ],
            rows: webhooks.map { webhook in
                [
                    Table.Cell(webhook.id), Table.Cell(webhook.url),
                    Table.Cell(webhook.events.isEmpty ? "all" : webhook.events.map(\.rawValue).joined(separator: ",")),
                    Table.Cell(webhook.active ? "yes" : "no", style: webhook.active ? .green : .dim),
                    Table.Cell(output.time(webhook.createdAt)),
                    Table.Cell(webhook.description ?? "-"),
                ]
            })
    }

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.webhooks.listPage(limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { webhookTable(page.items, output) }
        return ExitCode.success.rawValue
    }

    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let webhook = try await context.client().webhooks.get(try arguments.required("id"))
        let output = context.output
        try output.render(webhook, ids: [webhook.id]) { webhookTable([webhook], output) }
        return ExitCode.success.rawValue
    }

    static func runCreate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        guard let url = arguments.value("url") else { throw CLIError.usage("missing option '--url'", code: .missingValue) }
        let request = WebhookCreateRequest(
            url: url, events: try arguments.commaSeparated("event").map(EventType.init(rawValue:)),
            description: arguments.value("description"), secret: arguments.value("secret"),
            active: arguments.isSet("inactive") ? false : nil)
        let webhook = try await context.client().webhooks.create(request)
        var message = "Created webhook \(webhook.id) for \(webhook.url)."
        if request.secret == nil, let secret = webhook.secret { message += "\nIts signing secret, shown only now: \(secret)" }
        try context.output.renderAction(webhook, id: webhook.id, message: message)
        return ExitCode.success.rawValue
    }

    static func runUpdate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let id = try arguments.required("id")
        var request = WebhookUpdateRequest(url: arguments.value("url"), description: arguments.value("description"))
        let events = try arguments.commaSeparated("event")
        if arguments.isSet("all-events") {
            guard events.isEmpty else { throw CLIError.usage("give '--event' or '--all-events', not both", code: .invalidInput) }
            request.events = []
        } else if !events.isEmpty {
            request.events = events.map(EventType.init(rawValue:))
        }
        switch (arguments.isSet("enable"), arguments.isSet("disable")) {
        case (true, true): throw CLIError.usage("give '--enable' or '--disable', not both", code: .invalidInput)
        case (true, false): request.active = true
        case (false, true): request.active = false
        case (false, false): break
        }
        request.secret = arguments.value("secret")
        if arguments.isSet("rotate-secret") { request.rotateSecret = true }
        guard request != WebhookUpdateRequest() else {
            throw CLIError.usage("nothing to change: give at least one option", code: .invalidInput)
        }
        let webhook = try await context.client().webhooks.update(id, request)
        var message = "Updated webhook \(webhook.id)."
        if let secret = webhook.secret { message += "\nIts new signing secret, shown only now: \(secret)" }
        try context.output.renderAction(webhook, id: webhook.id, message: message)
        return ExitCode.success.rawValue
    }

    static func runDelete(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        return try await RunnersCommand.forEachID(arguments.arguments("id"), context) { id in
            try await client.webhooks.delete(id)
            return (ActionResult(success: true, message: "deleted"), "Deleted webhook \(id).")
        }
    }

    static func runDeliveries(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let id = try arguments.required("id")
        let status = arguments.value("status").map(WebhookDelivery.Status.init(rawValue:))
        let page = try await PageFetcher.fetch(limit: try arguments.positiveInteger("limit")) { limit, offset in
            try await client.webhooks.deliveriesPage(of: id, status: status, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) {
            Table(
                columns: [
                    .init("id"), .init("event"), .init("status"), .init("attempts", alignment: .right),
                    .init("response", alignment: .right),
                    .init("created"), .init("error", isWideOnly: true), .init("next attempt", isWideOnly: true),
                ],
                rows: page.items.map { delivery in
                    [
                        Table.Cell(delivery.id), Table.Cell(delivery.eventType.rawValue), output.status(delivery.status.rawValue),
                        Table.Cell(String(delivery.attempts)), Table.Cell(delivery.responseStatus.map(String.init) ?? "-"),
                        Table.Cell(output.time(delivery.createdAt)), Table.Cell(delivery.lastError ?? "-"),
                        Table.Cell(output.time(delivery.nextAttemptAt)),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }
}
