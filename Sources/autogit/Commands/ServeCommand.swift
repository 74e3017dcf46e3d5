import AutoGitHTTP
import AutoGitServer
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `autogit serve`: the reference server.
enum ServeCommand {
    static let spec = CommandSpec(
        "serve", abstract: "Run the AutoGit server",
        discussion: """
            Serves the v1 API on --host and --port and keeps its state in --data-dir: a journal synced to disk \
            before each write is acknowledged, with snapshots, job logs and metrics beside it.
            """,
        options: [
            .value("host", valueName: "address", help: "Address to listen on", defaultValue: "127.0.0.1"),
            .value("port", short: "p", valueName: "port", help: "Port to listen on (0 picks a free one)", defaultValue: "8080"),
            .value("data-dir", valueName: "dir", help: "Where the server keeps its state", defaultValue: "~/.autogit"),
            .value("config", short: "c", valueName: "file", help: "Server configuration file (JSON)"),
        ],
        examples: [.init("autogit serve --host 0.0.0.0 --port 8080 --data-dir /var/lib/autogit", "Serve the whole network")],
        run: { arguments, context in try await run(arguments, context) })

    /// Starts the server, prints where it listens (and, on the first start, the admin token), and serves until
    /// SIGINT or SIGTERM, then shuts down gracefully.
    static func run(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        var options = ReferenceServer.Options(
            dataDirectory: NSString(string: arguments.value("data-dir") ?? "~/.autogit").expandingTildeInPath,
            configurationFile: arguments.value("config").map { NSString(string: $0).expandingTildeInPath })
        // Flags given on the command line win over the configuration file's `server` section.
        if arguments.isExplicit("host") { options.host = arguments.value("host") }
        if arguments.isExplicit("port") {
            guard let port = try arguments.integer("port"), (0...65_535).contains(port) else {
                throw CLIError.invalidValue(arguments.value("port") ?? "", for: "--port", expected: "a port between 0 and 65535")
            }
            options.port = port
        }
        let console = context.console
        options.log = { console.writeErrorLine("autogit serve: \($0)") }
        options.accessLog = { console.writeErrorLine($0) }
        let signals = TerminationSignals()
        let server = ReferenceServer(options: options)
        do {
            try await server.start()
        } catch let error as ServerError {
            throw CLIError.failure("cannot start the server: \(error.message)")
        } catch let error as HTTPServerError {
            throw CLIError.failure("cannot listen on \(options.host ?? "the configured address"): \(error.description)")
        }
        console.writeLine("AutoGit server \(ServerVersion.current) listening on \(server.baseURL.absoluteString)")
        console.writeLine("Data directory: \(options.dataDirectory)")
        if let token = server.adminToken {
            console.writeLine("")
            console.writeLine("Admin token (shown once; also saved to \(server.adminTokenPath), mode 0600):")
            console.writeLine("  \(token)")
            console.writeLine("")
        }
        let signal = await signals.next()
        console.writeErrorLine("autogit serve: \(signal), shutting down")
        await server.shutdown()
        console.writeErrorLine("autogit serve: stopped")
        return 0
    }
}

/// SIGINT and SIGTERM as an awaitable event: the default actions are switched off while it exists, so the server
/// can finish its requests and close its store.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Waits for the first signal and returns its name.
    func next() async -> String {
        for await name in stream { return name }
        return "end of signals"
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
