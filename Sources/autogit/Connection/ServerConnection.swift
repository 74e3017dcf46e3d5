import AutoGitClient
import Foundation

/// Where a command connects and with which token, once the command line, the environment and the saved contexts
/// have been weighed: `--server`/`--token` first, then `AUTOGIT_SERVER`/`AUTOGIT_TOKEN`, then the current context,
/// then `http://127.0.0.1:8080` without a token.
struct ServerConnection: Sendable, Hashable {
    var server: String
    var token: String?
    /// The saved context the values came from, when one was used.
    var contextName: String?

    init(server: String, token: String? = nil, contextName: String? = nil) {
        self.server = server
        self.token = token
        self.contextName = contextName
    }

    /// Weighs the explicit global options against the saved `settings`. A context supplies the token only when it
    /// also supplies the server, so a token saved for one server is never sent to another.
    init(options: GlobalOptions, settings: ConnectionSettings) {
        let saved = settings.current
        if options.isServerExplicit {
            let sameServer = saved.map { Self.normalized($0.context.server) == Self.normalized(options.server) } ?? false
            self.init(
                server: options.server, token: options.token ?? (sameServer ? saved?.context.token : nil),
                contextName: sameServer ? saved?.name : nil)
        } else if let saved {
            self.init(server: saved.context.server, token: options.token ?? saved.context.token, contextName: saved.name)
        } else {
            self.init(server: options.server, token: options.token)
        }
    }

    /// The server URL, checked: an `http` or `https` URL with a host; a usage error naming `--server` otherwise.
    func serverURL() throws(CLIError) -> URL {
        try Self.checkedURL(server)
    }

    /// A client for this connection, with the SDK's timeouts and retries, over ``transport(for:environment:)``.
    func client(environment: [String: String] = [:]) throws(CLIError) -> AutoGitClient {
        let url = try serverURL()
        let credentials: AutoGitClient.Credentials = token.map { .bearer($0) } ?? .none
        var configuration = AutoGitClient.Configuration()
        configuration.userAgent = "autogit/\(AutoGitVersion.current)"
        return AutoGitClient(
            baseURL: url, credentials: credentials, configuration: configuration,
            transport: Self.transport(for: url, environment: environment))
    }

    /// Which stack carries the requests: plain sockets for an `http://` server, since a command makes a request or
    /// two and exits and URLSession costs more to start than the request itself (and, on Linux, a core for as long as
    /// a stream is followed); URLSession for `https://`, or for any server when `AUTOGIT_TRANSPORT=urlsession`. Made
    /// only when a command needs the network.
    static func transport(for url: URL, environment: [String: String]) -> any Transport {
        usesSockets(for: url, environment: environment) ? SocketTransport() : URLSessionTransport()
    }

    /// Whether ``transport(for:environment:)`` picks plain sockets for `url`.
    static func usesSockets(for url: URL, environment: [String: String]) -> Bool {
        environment["AUTOGIT_TRANSPORT"]?.lowercased() != "urlsession" && SocketTransport.supports(url)
    }

    static func checkedURL(_ text: String) throws(CLIError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else {
            throw .invalidValue(text, for: "--server", expected: "an http or https URL such as \(GlobalOptions.defaultServer)")
        }
        return url
    }

    /// The URL trimmed, lower-cased and without trailing slashes, for comparing saved servers.
    static func normalized(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        return text.lowercased()
    }
}
