/// `autogit webhooks …`: HTTP callbacks for events.
enum WebhooksCommand {
    static let webhookID = ArgumentSpec("id", help: "The webhook's id")

    static let spec = CommandSpec(
        "webhooks", abstract: "Send events to HTTP endpoints",
        discussion: "Each delivery is signed with the webhook's secret (HMAC-SHA256) and retried with backoff.",
        subcommands: [list, get, create, update, delete, deliveries])

    static let list = CommandSpec("list", abstract: "List webhooks", aliases: ["ls"], run: CommandSpec.notImplemented())

    static let get = CommandSpec("get", abstract: "Show one webhook", arguments: [webhookID], run: CommandSpec.notImplemented())

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
        run: CommandSpec.notImplemented())

    static let update = CommandSpec(
        "update", abstract: "Change a webhook", arguments: [webhookID],
        options: [
            .value("url", valueName: "url", help: "Where to POST events"),
            .repeatable("event", valueName: "type", help: "Replace the event types with these"),
            .value("description", valueName: "text", help: "What the webhook is for"),
            .value("active", valueName: "bool", help: "Switch it on or off", allowedValues: ["true", "false"]),
        ],
        run: CommandSpec.notImplemented())

    static let delete = CommandSpec(
        "delete", abstract: "Delete webhooks", aliases: ["rm"],
        arguments: [ArgumentSpec("id", help: "Ids of the webhooks to delete", isVariadic: true)],
        run: CommandSpec.notImplemented())

    static let deliveries = CommandSpec(
        "deliveries", abstract: "Show a webhook's recent deliveries and their results", arguments: [webhookID],
        run: CommandSpec.notImplemented())
}
