import AutoGitCore

/// A plugin that `initialize` accepted, with what it said about itself.
struct StartedPlugin: Sendable {
    var plugin: any FleetingPlugin
    var info: ProviderInfo
}
