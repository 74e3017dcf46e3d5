import Foundation

/// How a ``RunnerAgent`` joins its server and runs jobs. The first block is what `autogit runner` sets from its
/// flags; the rest are tuning knobs with production defaults, which tests shorten.
public struct RunnerAgentConfiguration: Sendable {
    /// The AutoGit server, e.g. `http://10.0.0.5:8080`.
    public var serverURL: URL
    /// A registration token (a `runner` token not yet bound to a runner). After registering, the agent uses the
    /// runner's own token instead.
    public var registrationToken: String
    /// The runner's name; the host name when nil.
    public var name: String?
    /// Labels jobs can require.
    public var labels: [String]
    /// The most jobs run at once (at least 1).
    public var concurrency: Int
    /// Where per-job working directories are made (`<workDirectory>/jobs/<job id>`).
    public var workDirectory: String
    /// A JSON list of GPUs to register instead of detecting them (see ``GPUInventoryFile``).
    public var gpuInventoryFile: String?

    /// How long one `jobs/request` long poll may wait on the server, in seconds. Default 30.
    public var pollWait: Int
    /// The heartbeat interval until the server names one (`next_heartbeat_in`). Default 10 seconds.
    public var heartbeatInterval: Duration
    /// Between SIGTERM and SIGKILL when a step is stopped (timeout, cancel, agent stop). Default 10 seconds.
    public var killGracePeriod: Duration
    /// The time limit of jobs that carry none, in seconds; nil for none. Default nil.
    public var defaultJobTimeout: Int?
    /// Keep each job's working directory after it ends (for debugging). Default false: it is removed.
    public var keepWorkDirectories: Bool
    /// The first pause after a failed registration, poll or report; it doubles up to ``maxRetryDelay``.
    public var retryDelay: Duration
    /// The longest pause between retries.
    public var maxRetryDelay: Duration
    /// How long a finished job may take to upload its remaining output before the agent gives up on it.
    public var logUploadTimeout: Duration
    /// How long the agent keeps retrying a finished job's final report.
    public var finalReportTimeout: Duration
    /// Whether the agent asks the server to remove its runner when it stops (`DELETE /v1/runners/{id}`; servers
    /// that reserve this to operators refuse, and the runner goes offline when its heartbeats stop).
    public var deregistersOnExit: Bool
    /// The environment steps inherit (before the job's own; see Docs/runner.md).
    public var environment: [String: String]
    /// Where `nvidia-smi` and `rocm-smi` are looked for; `PATH` when nil.
    public var toolSearchPath: [String]?
    /// The agent's version, reported at registration.
    public var version: String?
    /// Where the agent's own log lines go; standard error by default.
    public var log: @Sendable (String) -> Void

    public init(
        serverURL: URL, registrationToken: String, name: String? = nil, labels: [String] = [], concurrency: Int = 1,
        workDirectory: String = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-runner").path,
        gpuInventoryFile: String? = nil, pollWait: Int = 30, heartbeatInterval: Duration = .seconds(10),
        killGracePeriod: Duration = .seconds(10), defaultJobTimeout: Int? = nil, keepWorkDirectories: Bool = false,
        retryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(30), logUploadTimeout: Duration = .seconds(60),
        finalReportTimeout: Duration = .seconds(600), deregistersOnExit: Bool = true,
        environment: [String: String] = ProcessInfo.processInfo.environment, toolSearchPath: [String]? = nil, version: String? = nil,
        log: @escaping @Sendable (String) -> Void = RunnerAgentConfiguration.standardErrorLog
    ) {
        self.serverURL = serverURL
        self.registrationToken = registrationToken
        self.name = name
        self.labels = labels
        self.concurrency = concurrency
        self.workDirectory = workDirectory
        self.gpuInventoryFile = gpuInventoryFile
        self.pollWait = pollWait
        self.heartbeatInterval = heartbeatInterval
        self.killGracePeriod = killGracePeriod
        self.defaultJobTimeout = defaultJobTimeout
        self.keepWorkDirectories = keepWorkDirectories
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.logUploadTimeout = logUploadTimeout
        self.finalReportTimeout = finalReportTimeout
        self.deregistersOnExit = deregistersOnExit
        self.environment = environment
        self.toolSearchPath = toolSearchPath
        self.version = version
        self.log = log
    }

    /// Writes `line` to standard error with a UTC timestamp.
    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        let stamp = ISO8601DateFormatter().string(from: Date())
        FileHandle.standardError.write(Data("\(stamp) \(line)\n".utf8))
    }
}
