import AutoGitCore
import Foundation

/// A typed, async client for any server that speaks the AutoGit v1 API.
///
/// ```swift
/// let client = AutoGitClient(baseURL: URL(string: "http://127.0.0.1:8080")!, credentials: .bearer(token))
/// for try await runner in client.runners.list(status: .idle, labels: ["cuda"]) {
///     print(runner.name)
/// }
/// let job = try await client.jobs.submit(JobSpec(name: "train", steps: [JobStep(name: "run", run: "python train.py")]))
/// for try await line in client.jobs.logs(job.id, follow: true) {
///     print(line.message)
/// }
/// ```
///
/// The operations are grouped as the API is: ``runners``, ``jobs``, ``gpus``, ``instances``, ``experiments``,
/// ``config``, ``auth``, ``tokens``, ``system``, ``providers``, ``events`` and ``webhooks``. A client is a value:
/// copy it freely and share it between tasks. Every call throws ``AutoGitError``.
public struct AutoGitClient: Sendable {
    /// The server's address, e.g. `http://127.0.0.1:8080`. Paths such as `/v1/runners` are appended to it, so a
    /// base URL with a path prefix (`https://example.com/autogit`) works behind a proxy.
    public let baseURL: URL
    /// How every request authenticates.
    public let credentials: Credentials
    /// Timeouts, retries, reconnection and headers.
    public let configuration: Configuration
    let transport: any Transport
    /// How the client waits between attempts; tests replace it to observe the waits.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// The server kind found by detection, shared by the copies made with `with`.
    var detectedKind = DetectedServerKind()

    /// A client of the server at `baseURL`.
    ///
    /// - Parameters:
    ///   - baseURL: the server's address, e.g. `http://127.0.0.1:8080`.
    ///   - credentials: how requests authenticate; none by default.
    ///   - configuration: timeouts, retries and reconnection; the defaults suit most programs.
    ///   - transport: what carries the requests; a new ``URLSessionTransport`` when `nil`.
    public init(
        baseURL: URL, credentials: Credentials = .none, configuration: Configuration = Configuration(), transport: (any Transport)? = nil
    ) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.configuration = configuration
        self.transport = transport ?? URLSessionTransport()
    }

    /// A copy of this client with other credentials, sharing its transport: for instance after
    /// ``Auth-swift.struct/login(username:password:)``.
    public func with(credentials: Credentials) -> AutoGitClient {
        var copy = AutoGitClient(baseURL: baseURL, credentials: credentials, configuration: configuration, transport: transport)
        copy.sleep = sleep
        copy.detectedKind = detectedKind
        return copy
    }

    /// A copy of this client with a changed configuration, sharing its transport:
    /// `client.with { $0.retry.mode = .always }.jobs.submit(spec)`.
    public func with(_ change: (inout Configuration) -> Void) -> AutoGitClient {
        var configuration = configuration
        change(&configuration)
        var copy = AutoGitClient(baseURL: baseURL, credentials: credentials, configuration: configuration, transport: transport)
        copy.sleep = sleep
        copy.detectedKind = detectedKind
        return copy
    }

    /// Runners: list, provision, register, inspect, configure, start and stop; the agent's heartbeat and long poll.
    public var runners: Runners { Runners(client: self) }
    /// Jobs: submit, list, inspect, cancel, read and follow logs; the agent's status reports and log uploads.
    public var jobs: Jobs { Jobs(client: self) }
    /// The GPUs of every runner and their allocation.
    public var gpus: GPUs { GPUs(client: self) }
    /// Supervised model servers: lifecycle, health, logs and the proxy.
    public var instances: Instances { Instances(client: self) }
    /// Experiment tracking: projects, runs, metrics, comparison and artifacts.
    public var experiments: Experiments { Experiments(client: self) }
    /// The server's configuration and its JSON Schema.
    public var config: Config { Config(client: self) }
    /// Password login and session refresh.
    public var auth: Auth { Auth(client: self) }
    /// API tokens.
    public var tokens: Tokens { Tokens(client: self) }
    /// Health, status, server information and Prometheus metrics.
    public var system: System { System(client: self) }
    /// Fleeting providers and their offers.
    public var providers: Providers { Providers(client: self) }
    /// The fleet's event stream.
    public var events: Events { Events(client: self) }
    /// Webhook subscriptions and their deliveries.
    public var webhooks: Webhooks { Webhooks(client: self) }
}
