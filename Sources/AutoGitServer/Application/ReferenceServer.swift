import AutoGitCore
import AutoGitHTTP
import Foundation
import Synchronization

/// The AutoGit reference server: the v1 API over a durable store, on the project's own HTTP layer.
///
/// ```swift
/// let server = ReferenceServer(options: .quiet(dataDirectory: "/tmp/autogit"))
/// try await server.start()
/// print(server.baseURL, server.adminToken ?? "(admin token made on an earlier start)")
/// // …
/// await server.shutdown()
/// ```
///
/// `start()` opens (or creates) the data directory, replays the journal, and on the very first start creates an
/// admin API token, available once in ``adminToken`` and written (mode 0600) to ``adminTokenPath``. Every write the
/// API answers with 2xx is on disk before the answer leaves. `autogit serve` runs one until SIGINT or SIGTERM; the
/// CLI's quickstart and the end-to-end tests embed one in-process.
public final class ReferenceServer: Sendable {
    public let options: Options

    private struct Running: Sendable {
        var http: HTTPServer
        var context: APIContext
        var tasks: [Task<Void, Never>]
        var adminToken: String?
        var baseURL: URL
    }

    private enum Phase: Sendable {
        case idle
        case starting
        case running(Running)
        case stopped
    }

    private let phase = Mutex<Phase>(.idle)

    public init(options: Options) {
        self.options = options
    }

    /// The port the server listens on (the one chosen when the options asked for 0); 0 before ``start()``.
    public var port: Int {
        phase.withLock { phase in
            if case .running(let running) = phase { return running.http.port }
            return 0
        }
    }

    /// `http://<host>:<port>` for clients on this machine; an unspecified bind address (`0.0.0.0`, `::`) is given
    /// as loopback.
    public var baseURL: URL {
        phase.withLock { phase in
            if case .running(let running) = phase { return running.baseURL }
            return URL(string: "http://127.0.0.1:0")!
        }
    }

    /// The admin token made by this start, when the data directory had no token yet; nil otherwise. Its secret is
    /// also in ``adminTokenPath``.
    public var adminToken: String? {
        phase.withLock { phase in
            if case .running(let running) = phase { return running.adminToken }
            return nil
        }
    }

    /// The running server's event bus (what `GET /v1/events` and webhooks read), for embedders that watch events in
    /// this process without a connection; nil before ``start()`` and after ``shutdown()``.
    public var eventBus: EventBus? {
        phase.withLock { phase in
            if case .running(let running) = phase { return running.context.events }
            return nil
        }
    }

    /// `admin-token` in the data directory: the first admin token, mode 0600.
    public var adminTokenPath: String { options.dataDirectory + "/admin-token" }

    /// Opens the store, bootstraps the admin token, binds and starts serving. Returns once connections are accepted.
    ///
    /// Throws ``ServerError`` when the data directory or configuration is unusable, and `HTTPServerError` when the
    /// address cannot be bound.
    public func start() async throws {
        try phase.withLock { phase in
            guard case .idle = phase else { throw ServerError(.conflict, status: 409, "The server was already started") }
            phase = .starting
        }
        do {
            let running = try await launch()
            phase.withLock { $0 = .running(running) }
        } catch {
            phase.withLock { $0 = .stopped }
            throw error
        }
    }

    private func launch() async throws -> Running {
        let configuration = try options.loadConfiguration()
        var storeOptions = DurableStore.Options()
        let log = options.log
        storeOptions.log = { log("store: \($0)") }
        let store = try DurableStore(directory: options.dataDirectory, options: storeOptions)
        var experiments: ExperimentTracking?
        do {
            let live = LiveConfiguration(base: configuration, store: store, log: log)
            let current = live.current
            let events = EventBus(capacity: current.events.bufferSize)
            let tracking = try ExperimentTracking(
                dataDirectory: options.dataDirectory, store: store, maxArtifactBytes: options.maxArtifactBytes)
            experiments = tracking
            let fleet = Fleet(store: store, events: events, options: APIContext.fleetOptions(for: current))
            let tokens = TokenStore(store: store)
            let context = APIContext(
                dataDirectory: options.dataDirectory, store: store, configuration: live, fleet: fleet, events: events,
                logs: try JobLogStore(directory: options.dataDirectory + "/logs"), tokens: tokens,
                sessions: try SessionIssuer(dataDirectory: options.dataDirectory),
                webhooks: WebhookDispatcher(
                    store: store, settings: current.webhooks, sender: options.webhookSender ?? URLSessionWebhookSender()),
                instances: InstanceManager(
                    store: store,
                    configuration: InstanceManager.Configuration(
                        directory: options.dataDirectory + "/instances", instances: current.instances),
                    gpuAllocator: FleetInstanceGPUs(
                        fleet: fleet,
                        localHostNames: {
                            let named = live.current.instances.gpuHosts
                            return named.isEmpty ? FleetInstanceGPUs.thisHost : Set(named)
                        }),
                    events: events),
                experiments: tracking,
                provisioning: ProvisioningService(
                    fleet: fleet, events: events, store: store, tokens: tokens, configuration: live, registry: options.pluginRegistry,
                    agentExecutable: options.agentExecutable, log: log),
                startedAt: Date(), log: log)
            let adminToken = try await bootstrapAdminToken(context.tokens)
            // Instances that outlived a crashed server are adopted or stopped before anyone can ask about them.
            let recovery = await context.instances.recover()
            for (name, pid) in recovery.adopted.sorted(by: { $0.key < $1.key }) { log("instances: adopted \(name) (pid \(pid))") }
            for (name, pid) in recovery.killed.sorted(by: { $0.key < $1.key }) {
                log("instances: stopped the leftover of \(name) (pid \(pid))")
            }
            for name in recovery.restarted { log("instances: restarted \(name) by its restart policy") }

            var routes = RouteTable()
            SystemRoutes(context: context).register(in: &routes)
            AuthRoutes(context: context).register(in: &routes)
            TokenRoutes(context: context).register(in: &routes)
            ConfigRoutes(context: context).register(in: &routes)
            RunnerRoutes(context: context).register(in: &routes)
            GPURoutes(context: context).register(in: &routes)
            JobRoutes(context: context).register(in: &routes)
            ProviderRoutes(context: context).register(in: &routes)
            EventRoutes(context: context).register(in: &routes)
            WebhookRoutes(context: context).register(in: &routes)
            InstanceRoutes(manager: context.instances).register(in: &routes)
            ExperimentRoutes(context: context).register(in: &routes)
            ArtifactRoutes(context: context).register(in: &routes)

            var middleware: [any Middleware] = [RequestIDMiddleware()]
            if let accessLog = options.accessLog { middleware.append(AccessLogMiddleware(sink: accessLog)) }
            middleware += [
                MetricsMiddleware(metrics: context.requestMetrics), AuthenticationMiddleware(context: context),
                RateLimitMiddleware(context: context, clock: options.rateLimitClock ?? { Date().timeIntervalSince1970 }),
                APIErrorMiddleware(log: log),
            ]
            let host = options.host ?? current.server.host
            var http = HTTPServer.Configuration(host: host, port: options.port ?? current.server.port)
            if let loops = options.eventLoopCount { http.eventLoopCount = loops }
            // Login hashes passwords and pages are encoded synchronously: keep that off the socket threads.
            http.runsHandlersOnEventLoops = false
            http.shutdownGracePeriod = options.shutdownGracePeriod
            // Artifact uploads are the largest bodies; their own limit (413 naming it) applies in the handler.
            http.maxBodyBytes = max(http.maxBodyBytes, options.maxArtifactBytes + 64 * 1024)
            http.serverName = "autogit/\(ServerVersion.current)"
            let server = HTTPServer(configuration: http, middleware: middleware, responder: routes.router)
            try await server.start()

            let tasks = backgroundTasks(context)
            let shownHost = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
            let urlHost = shownHost.contains(":") && !shownHost.hasPrefix("[") ? "[\(shownHost)]" : shownHost
            let baseURL = URL(string: "http://\(urlHost):\(server.port)") ?? URL(fileURLWithPath: "/")
            await context.provisioning.start(serverURL: baseURL.absoluteString)
            return Running(http: server, context: context, tasks: tasks, adminToken: adminToken, baseURL: baseURL)
        } catch {
            experiments?.shutdown()
            await store.close()
            throw error
        }
    }

    /// On the first start (no token at all yet) makes an admin token and writes its secret to `admin-token`, 0600.
    private func bootstrapAdminToken(_ tokens: TokenStore) async throws(ServerError) -> String? {
        guard await tokens.isEmpty else { return nil }
        let token = try await tokens.create(name: "admin", role: .admin)
        guard let secret = token.token else { return nil }
        try DurableFile.writeAtomically(Array((secret + "\n").utf8), to: adminTokenPath)
        return secret
    }

    /// Webhook delivery, the offline sweep, and ending log followers of jobs that finish.
    private func backgroundTasks(_ context: APIContext) -> [Task<Void, Never>] {
        let webhookEvents = context.events.subscribe()
        let jobEvents = context.events.subscribe(types: [.jobStatusChanged])
        let runEvents = context.events.subscribe(types: [.jobStatusChanged])
        let tracker = JobRunTracker(
            experiments: context.experiments, fleet: context.fleet, store: context.store, configuration: context.configuration,
            log: context.log)
        return [
            Task { await tracker.run(events: runEvents) },
            Task { await context.webhooks.run(events: webhookEvents) },
            Task {
                while !Task.isCancelled {
                    let interval = min(5, max(0.05, context.configuration.current.runners.heartbeatIntervalSeconds / 2))
                    try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                    if Task.isCancelled { break }
                    await context.fleet.sweep()
                }
            },
            Task {
                for await event in jobEvents {
                    guard let id = event.payload["job_id"]?.stringValue,
                        let status = event.payload["new_status"]?.stringValue.map(JobStatus.init(rawValue:)), status.isFinal
                    else { continue }
                    await context.logs.finish(id)
                }
            },
        ]
    }

    /// Stops accepting, ends event streams and long polls, lets requests in flight finish (up to
    /// `shutdownGracePeriod`), stops the model-serving instances (those with restart policy `always` start again
    /// with the next start), then writes what is pending and closes the store. Safe to call more than once.
    public func shutdown() async {
        let running: Running? = phase.withLock { phase in
            guard case .running(let running) = phase else { return nil }
            phase = .stopped
            return running
        }
        guard let running else { return }
        let context = running.context
        context.isStopping = true
        await context.fleet.stopPolling()
        // Before the HTTP server stops, so that agents stopped with the server can still say goodbye.
        await context.provisioning.shutdown()
        context.events.finishAll()
        await context.logs.finishAll()
        await context.fleet.finishRunnerLogFollowers()
        await running.http.shutdown(deadline: .now + options.shutdownGracePeriod)
        for task in running.tasks { task.cancel() }
        for task in running.tasks { await task.value }
        await context.instances.shutdown()
        context.experiments.shutdown()
        await context.store.close()
    }
}
