import AutoGitCore

/// Builds fleeting plugins by their kind name (`local`, `ssh`, `slurm`, `exec`): what the server does for each
/// provider of its configuration. Other kinds can be registered (tests register fakes).
public struct PluginRegistry: Sendable {
    public typealias Factory = @Sendable () -> any FleetingPlugin

    private var factories: [String: Factory]

    /// A registry of the four built-in plugins.
    public init() {
        factories = [
            "local": { LocalPlugin() },
            "ssh": { SSHPlugin() },
            "slurm": { SlurmPlugin() },
            "exec": { ExecPlugin() },
        ]
    }

    /// The kinds it can build, sorted.
    public var kinds: [String] { factories.keys.sorted() }

    /// Adds (or replaces) the plugin kind `kind`.
    public mutating func register(_ kind: String, factory: @escaping Factory) {
        factories[kind] = factory
    }

    /// A new, uninitialised plugin of `kind`; throws `PLUGIN_CONFIGURATION` for a kind it does not know.
    public func makePlugin(kind: String) throws -> any FleetingPlugin {
        guard let factory = factories[kind] else {
            throw CoreError(
                .pluginConfiguration, "Unknown plugin type '\(kind)'; known types: \(kinds.joined(separator: ", "))", field: "type")
        }
        return factory()
    }

    /// A plugin of `kind`, initialised with `settings`, and what it said about itself.
    public func start(kind: String, settings: PluginSettings) async throws -> (plugin: any FleetingPlugin, info: ProviderInfo) {
        let plugin = try makePlugin(kind: kind)
        let info = try await plugin.initialize(settings)
        return (plugin, info)
    }

    /// The plugin of a configured provider, initialised with its settings and the agent launch of this server.
    public func start(
        _ provider: ServerConfiguration.ProviderEntry, agent: AgentLaunch
    ) async throws -> (plugin: any FleetingPlugin, info: ProviderInfo) {
        try await start(
            kind: provider.type, settings: PluginSettings(providerName: provider.name, settings: provider.settings, agent: agent))
    }
}
