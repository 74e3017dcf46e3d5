import AutoGitClient
import Foundation

extension CommandContext {
    /// The saved contexts file: `$XDG_CONFIG_HOME/autogit/config.json` or `~/.config/autogit/config.json`.
    var settingsURL: URL { ConnectionSettings.fileURL(environment: environment) }

    func loadSettings() throws(CLIError) -> ConnectionSettings {
        try ConnectionSettings.load(from: settingsURL)
    }

    /// The server and token this command uses (flags, environment, then the current context).
    func connection() throws(CLIError) -> ServerConnection {
        ServerConnection(options: globalOptions, settings: try loadSettings())
    }

    /// An SDK client for the server and token this command uses.
    func client() throws(CLIError) -> AutoGitClient {
        let connection = try connection()
        let client = try connection.client(environment: environment)
        let transport = ServerConnection.usesSockets(for: client.baseURL, environment: environment) ? "sockets" : "URLSession"
        debug("server: \(connection.server)" + (connection.contextName.map { " (context \($0))" } ?? "") + ", over \(transport)")
        return client
    }
}
