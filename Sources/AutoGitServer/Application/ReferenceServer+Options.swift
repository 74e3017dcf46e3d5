import AutoGitCore
import AutoGitFleeting
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ReferenceServer {
    /// How to run a server: where it listens, where its state lives, its configuration, and where its logs go.
    public struct Options: Sendable {
        /// Where the journal, snapshots, job logs, `session.key` and `admin-token` live (created 0700 when missing).
        public var dataDirectory: String
        /// The address to bind; when nil, the configuration's `server.host` (127.0.0.1 by default).
        public var host: String?
        /// The port; 0 picks a free one (read ``ReferenceServer/port`` after starting). When nil, the configuration's
        /// `server.port` (8080 by default).
        public var port: Int?
        /// A JSON configuration file, checked against the published schema at start.
        public var configurationFile: String?
        /// A configuration to use instead of a file.
        public var configuration: ServerConfiguration?
        /// Server messages: warnings at start, internal errors. Standard error by default.
        public var log: @Sendable (String) -> Void = Options.standardError
        /// One line per request, or nil for none. Standard error by default.
        public var accessLog: (@Sendable (String) -> Void)? = Options.standardError
        /// How long ``ReferenceServer/shutdown()`` lets requests in flight finish.
        public var shutdownGracePeriod: Duration = .seconds(5)
        /// HTTP event-loop threads; one per core when nil.
        public var eventLoopCount: Int?
        /// What sends webhook deliveries; URLSession when nil.
        public var webhookSender: (any WebhookSender)?
        /// The time rate limits count with, in seconds since 1970; the wall clock when nil (tests hold it still, so a
        /// slow machine does not refill a bucket between two requests).
        public var rateLimitClock: (@Sendable () -> Double)?
        /// The largest artifact version an upload may carry, in bytes (413 `PAYLOAD_TOO_LARGE` above it). Uploads are
        /// held in memory while they are verified, so keep it within what the machine can spare. Default 256 MiB.
        public var maxArtifactBytes: Int = 256 << 20
        /// The fleeting plugin kinds providers may name: the four built-in ones unless more are registered.
        public var pluginRegistry = PluginRegistry()
        /// The `autogit` binary that plugins start as the runner agent, unless a provider's settings name another
        /// (the `local` plugin then runs this very program).
        public var agentExecutable = "autogit"

        public init(
            dataDirectory: String, host: String? = nil, port: Int? = nil, configurationFile: String? = nil,
            configuration: ServerConfiguration? = nil
        ) {
            self.dataDirectory = dataDirectory
            self.host = host
            self.port = port
            self.configurationFile = configurationFile
            self.configuration = configuration
        }

        /// A server for tests and embedding: loopback, a free port, no log output, a short shutdown.
        public static func quiet(dataDirectory: String, configuration: ServerConfiguration = ServerConfiguration()) -> Options {
            var options = Options(dataDirectory: dataDirectory, host: "127.0.0.1", port: 0, configuration: configuration)
            options.log = { _ in }
            options.accessLog = nil
            options.shutdownGracePeriod = .seconds(2)
            return options
        }

        /// Writes a line to standard error in one call, so concurrent lines do not interleave.
        public static let standardError: @Sendable (String) -> Void = { line in
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }

        /// The configuration to start with: the given value, else the file (checked against the schema, 422
        /// naming the field), else the defaults.
        func loadConfiguration() throws(ServerError) -> ServerConfiguration {
            if let configuration { return configuration }
            guard let path = configurationFile else { return ServerConfiguration() }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServerError(.invalidRequest, status: 400, "Cannot read the configuration file \(path)")
            }
            let document: JSONValue
            do {
                document = try AutoGitJSON.decode(JSONValue.self, from: data)
            } catch {
                throw ServerError(.invalidRequest, status: 400, "The configuration file \(path) is not valid JSON")
            }
            do {
                return try ServerConfiguration().validated(mergePatch: document)
            } catch {
                throw ServerError(
                    .validationFailed, status: 422, "The configuration file \(path) is not valid: \(error.message)",
                    details: error.field.map { ["field": .string($0)] })
            }
        }
    }
}
