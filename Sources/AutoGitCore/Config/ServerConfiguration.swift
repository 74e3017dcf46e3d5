/// The reference server's settings: from the config file (`autogit serve --config FILE`), readable with
/// `GET /v1/config` and changed with `PATCH /v1/config` (a JSON merge patch).
///
/// Every field has a default, so a config file need only name what it changes. Durations are seconds.
public struct ServerConfiguration: Codable, Sendable, Hashable {
    /// Where the server listens.
    public struct Server: Codable, Sendable, Hashable {
        public var host: String
        public var port: Int
        /// The address clients and agents reach the server at, when it differs from host and port (behind a proxy).
        public var publicURL: String?

        public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
        }

        enum CodingKeys: String, CodingKey {
            case host, port
            case publicURL = "public_url"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Server()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            host = try container.decode(String.self, forKey: .host, default: defaults.host)
            port = try container.decode(Int.self, forKey: .port, default: defaults.port)
            publicURL = try container.decodeIfPresent(String.self, forKey: .publicURL)
        }
    }

    /// A person who may log in with a password (`POST /v1/auth/login`).
    public struct User: Codable, Sendable, Hashable {
        public var username: String
        /// `pbkdf2-sha256$<iterations>$<salt>$<hash>`; never a plain password. `GET /v1/config` omits it.
        public var passwordHash: String?
        public var role: Role

        public init(username: String, passwordHash: String? = nil, role: Role = .viewer) {
            self.username = username
            self.passwordHash = passwordHash
            self.role = role
        }

        enum CodingKeys: String, CodingKey {
            case username
            case passwordHash = "password_hash"
            case role
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            username = try container.decode(String.self, forKey: .username)
            passwordHash = try container.decodeIfPresent(String.self, forKey: .passwordHash)
            role = try container.decode(Role.self, forKey: .role, default: .viewer)
        }
    }

    /// Authentication.
    public struct Auth: Codable, Sendable, Hashable {
        /// When false, every request acts as admin. Meant for a laptop, never for a shared server.
        public var enabled: Bool
        /// Lifetime of session tokens from login and refresh.
        public var sessionTTLSeconds: Int
        public var users: [User]

        public init(enabled: Bool = true, sessionTTLSeconds: Int = 3600, users: [User] = []) {
            self.enabled = enabled
            self.sessionTTLSeconds = sessionTTLSeconds
            self.users = users
        }

        enum CodingKeys: String, CodingKey {
            case enabled
            case sessionTTLSeconds = "session_ttl_seconds"
            case users
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Auth()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try container.decode(Bool.self, forKey: .enabled, default: defaults.enabled)
            sessionTTLSeconds = try container.decode(Int.self, forKey: .sessionTTLSeconds, default: defaults.sessionTTLSeconds)
            users = try container.decode([User].self, forKey: .users, default: defaults.users)
        }
    }

    /// Token-bucket rate limits, in requests per minute.
    public struct RateLimits: Codable, Sendable, Hashable {
        public var enabled: Bool
        /// Per token.
        public var authenticatedPerMinute: Int
        /// Per client IP address, for requests without a token.
        public var unauthenticatedPerMinute: Int
        /// Per runner token, for the agent endpoints, so a busy fleet never throttles itself.
        public var runnerPerMinute: Int

        public init(
            enabled: Bool = true, authenticatedPerMinute: Int = 100, unauthenticatedPerMinute: Int = 10, runnerPerMinute: Int = 6000
        ) {
            self.enabled = enabled
            self.authenticatedPerMinute = authenticatedPerMinute
            self.unauthenticatedPerMinute = unauthenticatedPerMinute
            self.runnerPerMinute = runnerPerMinute
        }

        enum CodingKeys: String, CodingKey {
            case enabled
            case authenticatedPerMinute = "authenticated_per_minute"
            case unauthenticatedPerMinute = "unauthenticated_per_minute"
            case runnerPerMinute = "runner_per_minute"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = RateLimits()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try container.decode(Bool.self, forKey: .enabled, default: defaults.enabled)
            authenticatedPerMinute = try container.decode(
                Int.self, forKey: .authenticatedPerMinute, default: defaults.authenticatedPerMinute)
            unauthenticatedPerMinute = try container.decode(
                Int.self, forKey: .unauthenticatedPerMinute, default: defaults.unauthenticatedPerMinute)
            runnerPerMinute = try container.decode(Int.self, forKey: .runnerPerMinute, default: defaults.runnerPerMinute)
        }
    }

    /// Runner liveness.
    public struct Runners: Codable, Sendable, Hashable {
        public var heartbeatIntervalSeconds: Double
        /// A runner silent for this long is marked offline and its jobs are re-queued.
        public var offlineAfterSeconds: Double
        public var defaultMaxConcurrentJobs: Int
        /// How long heartbeat samples are kept for `GET /v1/runners/{id}/metrics`.
        public var metricsRetentionSeconds: Int

        public init(
            heartbeatIntervalSeconds: Double = 10, offlineAfterSeconds: Double = 30, defaultMaxConcurrentJobs: Int = 1,
            metricsRetentionSeconds: Int = 7 * 86_400
        ) {
            self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
            self.offlineAfterSeconds = offlineAfterSeconds
            self.defaultMaxConcurrentJobs = defaultMaxConcurrentJobs
            self.metricsRetentionSeconds = metricsRetentionSeconds
        }

        enum CodingKeys: String, CodingKey {
            case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
            case offlineAfterSeconds = "offline_after_seconds"
            case defaultMaxConcurrentJobs = "default_max_concurrent_jobs"
            case metricsRetentionSeconds = "metrics_retention_seconds"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Runners()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            heartbeatIntervalSeconds = try container.decode(
                Double.self, forKey: .heartbeatIntervalSeconds, default: defaults.heartbeatIntervalSeconds)
            offlineAfterSeconds = try container.decode(Double.self, forKey: .offlineAfterSeconds, default: defaults.offlineAfterSeconds)
            defaultMaxConcurrentJobs = try container.decode(
                Int.self, forKey: .defaultMaxConcurrentJobs, default: defaults.defaultMaxConcurrentJobs)
            metricsRetentionSeconds = try container.decode(
                Int.self, forKey: .metricsRetentionSeconds, default: defaults.metricsRetentionSeconds)
        }
    }

    /// Job defaults and bounds.
    public struct Jobs: Codable, Sendable, Hashable {
        /// The timeout of jobs that set none.
        public var defaultTimeoutSeconds: Int
        public var limits: JobLimits
        /// The longest a runner's `jobs/request` long-poll is held open.
        public var longPollSeconds: Double

        public init(defaultTimeoutSeconds: Int = 3600, limits: JobLimits = JobLimits(), longPollSeconds: Double = 30) {
            self.defaultTimeoutSeconds = defaultTimeoutSeconds
            self.limits = limits
            self.longPollSeconds = longPollSeconds
        }

        enum CodingKeys: String, CodingKey {
            case defaultTimeoutSeconds = "default_timeout_seconds"
            case limits
            case longPollSeconds = "long_poll_seconds"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Jobs()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            defaultTimeoutSeconds = try container.decode(Int.self, forKey: .defaultTimeoutSeconds, default: defaults.defaultTimeoutSeconds)
            limits = try container.decode(JobLimits.self, forKey: .limits, default: defaults.limits)
            longPollSeconds = try container.decode(Double.self, forKey: .longPollSeconds, default: defaults.longPollSeconds)
        }
    }

    /// The event stream.
    public struct Events: Codable, Sendable, Hashable {
        /// Events kept for `Last-Event-ID` resumption.
        public var bufferSize: Int

        public init(bufferSize: Int = 10_000) {
            self.bufferSize = bufferSize
        }

        enum CodingKeys: String, CodingKey {
            case bufferSize = "buffer_size"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            bufferSize = try container.decode(Int.self, forKey: .bufferSize, default: Events().bufferSize)
        }
    }

    /// Webhook delivery.
    public struct Webhooks: Codable, Sendable, Hashable {
        public var maxAttempts: Int
        /// The wait before the first retry; doubles with each attempt up to `maxBackoffSeconds`.
        public var initialBackoffSeconds: Double
        public var maxBackoffSeconds: Double
        public var timeoutSeconds: Double

        public init(maxAttempts: Int = 8, initialBackoffSeconds: Double = 1, maxBackoffSeconds: Double = 300, timeoutSeconds: Double = 10) {
            self.maxAttempts = maxAttempts
            self.initialBackoffSeconds = initialBackoffSeconds
            self.maxBackoffSeconds = maxBackoffSeconds
            self.timeoutSeconds = timeoutSeconds
        }

        enum CodingKeys: String, CodingKey {
            case maxAttempts = "max_attempts"
            case initialBackoffSeconds = "initial_backoff_seconds"
            case maxBackoffSeconds = "max_backoff_seconds"
            case timeoutSeconds = "timeout_seconds"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Webhooks()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            maxAttempts = try container.decode(Int.self, forKey: .maxAttempts, default: defaults.maxAttempts)
            initialBackoffSeconds = try container.decode(
                Double.self, forKey: .initialBackoffSeconds, default: defaults.initialBackoffSeconds)
            maxBackoffSeconds = try container.decode(Double.self, forKey: .maxBackoffSeconds, default: defaults.maxBackoffSeconds)
            timeoutSeconds = try container.decode(Double.self, forKey: .timeoutSeconds, default: defaults.timeoutSeconds)
        }
    }

    /// Model-serving instances.
    public struct Instances: Codable, Sendable, Hashable {
        /// Ports handed to instances that do not name one, inclusive.
        public var portRangeStart: Int
        public var portRangeEnd: Int
        /// Instances running at once; starting one more stops the least recently used.
        public var maxRunning: Int
        /// The host names (as runner agents report them) whose runners' GPUs instances may hold: those of the
        /// machine the instances run on. Empty means the server's own host name, which is right unless the server
        /// sees another name than its local agents do (a container, say).
        public var gpuHosts: [String]

        public init(portRangeStart: Int = 9000, portRangeEnd: Int = 9999, maxRunning: Int = 4, gpuHosts: [String] = []) {
            self.portRangeStart = portRangeStart
            self.portRangeEnd = portRangeEnd
            self.maxRunning = maxRunning
            self.gpuHosts = gpuHosts
        }

        enum CodingKeys: String, CodingKey {
            case portRangeStart = "port_range_start"
            case portRangeEnd = "port_range_end"
            case maxRunning = "max_running"
            case gpuHosts = "gpu_hosts"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Instances()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            portRangeStart = try container.decode(Int.self, forKey: .portRangeStart, default: defaults.portRangeStart)
            portRangeEnd = try container.decode(Int.self, forKey: .portRangeEnd, default: defaults.portRangeEnd)
            maxRunning = try container.decode(Int.self, forKey: .maxRunning, default: defaults.maxRunning)
            gpuHosts = try container.decode([String].self, forKey: .gpuHosts, default: defaults.gpuHosts)
        }
    }

    /// A fleeting provider: a plugin and its settings, with the autoscaling policy that drives it.
    public struct ProviderEntry: Codable, Sendable, Hashable {
        public var name: String
        /// The plugin: `local`, `ssh`, `slurm` or `exec`.
        public var type: String
        /// Plugin-specific settings, passed to its `initialize`.
        public var settings: JSONValue
        /// The ``AutoscalingPolicy`` as written (`min_idle`, `max_instances`, …); every field has a default.
        public var policy: JSONValue?
        /// Whether the server deprovisions this provider's instances when it shuts down. Nil means yes for `local`
        /// (its agents are the server's children) and no for every other kind (batch jobs and remote agents outlive
        /// a server restart and are found again by reconciliation).
        public var stopOnShutdown: Bool?

        public init(
            name: String, type: String, settings: JSONValue = [:], policy: JSONValue? = nil, stopOnShutdown: Bool? = nil
        ) {
            self.name = name
            self.type = type
            self.settings = settings
            self.policy = policy
            self.stopOnShutdown = stopOnShutdown
        }

        /// ``stopOnShutdown`` with its default applied.
        public var stopsOnShutdown: Bool { stopOnShutdown ?? (type == "local") }

        /// The policy decoded and checked; the defaults when none is written. The error names the field as
        /// `policy.max_instances`.
        public func autoscalingPolicy() throws(CoreError) -> AutoscalingPolicy {
            guard let policy, policy != .null else { return AutoscalingPolicy() }
            let decoded: AutoscalingPolicy
            do {
                decoded = try policy.decode(as: AutoscalingPolicy.self)
            } catch let error as DecodingError {
                let core = CoreError.decoding(error)
                let inner = core.field ?? ""
                let message = core.message.hasPrefix(inner + ": ") ? String(core.message.dropFirst(inner.count + 2)) : core.message
                throw CoreError.invalid(inner.isEmpty || inner == "body" ? "policy" : "policy.\(inner)", message)
            } catch {
                throw CoreError.invalid("policy", "\(error)")
            }
            try decoded.validate()
            return decoded
        }

        enum CodingKeys: String, CodingKey {
            case name, type, settings, policy
            case stopOnShutdown = "stop_on_shutdown"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            type = try container.decode(String.self, forKey: .type)
            settings = try container.decode(JSONValue.self, forKey: .settings, default: [:])
            policy = try container.decodeIfPresent(JSONValue.self, forKey: .policy)
            stopOnShutdown = try container.decodeIfPresent(Bool.self, forKey: .stopOnShutdown)
        }
    }

    /// How the server runs the autoscaler over the providers.
    public struct Autoscaling: Codable, Sendable, Hashable {
        /// The longest time between two autoscaling passes. Passes also run at once when jobs or runners change,
        /// and when an idle or registration timeout falls due, so this is a safety net, not the reaction time.
        public var intervalSeconds: Double
        /// How often each provider's `list()` is compared with the server's view of its instances.
        public var reconcileIntervalSeconds: Double
        /// How long a provider rests after a failed provision before it is asked again.
        public var failureBackoffSeconds: Double

        public init(intervalSeconds: Double = 10, reconcileIntervalSeconds: Double = 60, failureBackoffSeconds: Double = 60) {
            self.intervalSeconds = intervalSeconds
            self.reconcileIntervalSeconds = reconcileIntervalSeconds
            self.failureBackoffSeconds = failureBackoffSeconds
        }

        enum CodingKeys: String, CodingKey {
            case intervalSeconds = "interval_seconds"
            case reconcileIntervalSeconds = "reconcile_interval_seconds"
            case failureBackoffSeconds = "failure_backoff_seconds"
        }

        public init(from decoder: any Decoder) throws {
            let defaults = Autoscaling()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            intervalSeconds = try container.decode(Double.self, forKey: .intervalSeconds, default: defaults.intervalSeconds)
            reconcileIntervalSeconds = try container.decode(
                Double.self, forKey: .reconcileIntervalSeconds, default: defaults.reconcileIntervalSeconds)
            failureBackoffSeconds = try container.decode(
                Double.self, forKey: .failureBackoffSeconds, default: defaults.failureBackoffSeconds)
        }
    }

    public var server: Server
    public var auth: Auth
    public var rateLimits: RateLimits
    public var runners: Runners
    public var jobs: Jobs
    public var events: Events
    public var webhooks: Webhooks
    public var instances: Instances
    public var providers: [ProviderEntry]
    public var autoscaling: Autoscaling

    public init(
        server: Server = Server(), auth: Auth = Auth(), rateLimits: RateLimits = RateLimits(), runners: Runners = Runners(),
        jobs: Jobs = Jobs(), events: Events = Events(), webhooks: Webhooks = Webhooks(), instances: Instances = Instances(),
        providers: [ProviderEntry] = [], autoscaling: Autoscaling = Autoscaling()
    ) {
        self.server = server
        self.auth = auth
        self.rateLimits = rateLimits
        self.runners = runners
        self.jobs = jobs
        self.events = events
        self.webhooks = webhooks
        self.instances = instances
        self.providers = providers
        self.autoscaling = autoscaling
    }

    enum CodingKeys: String, CodingKey {
        case server, auth
        case rateLimits = "rate_limits"
        case runners, jobs, events, webhooks, instances, providers, autoscaling
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decode(Server.self, forKey: .server, default: Server())
        auth = try container.decode(Auth.self, forKey: .auth, default: Auth())
        rateLimits = try container.decode(RateLimits.self, forKey: .rateLimits, default: RateLimits())
        runners = try container.decode(Runners.self, forKey: .runners, default: Runners())
        jobs = try container.decode(Jobs.self, forKey: .jobs, default: Jobs())
        events = try container.decode(Events.self, forKey: .events, default: Events())
        webhooks = try container.decode(Webhooks.self, forKey: .webhooks, default: Webhooks())
        instances = try container.decode(Instances.self, forKey: .instances, default: Instances())
        providers = try container.decode([ProviderEntry].self, forKey: .providers, default: [])
        autoscaling = try container.decode(Autoscaling.self, forKey: .autoscaling, default: Autoscaling())
    }

    /// The configuration as `GET /v1/config` shows it: password hashes removed, and provider settings whose name
    /// suggests a secret (`password`, `secret`, `token`, `key`, `credential`) replaced by `"<redacted>"`.
    public var redacted: ServerConfiguration {
        var copy = self
        copy.auth.users = auth.users.map { User(username: $0.username, passwordHash: nil, role: $0.role) }
        copy.providers = providers.map { provider in
            var provider = provider
            provider.settings = Self.redactingSecrets(in: provider.settings)
            return provider
        }
        return copy
    }

    private static func redactingSecrets(in value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (name, member) in members {
                let lowered = name.lowercased()
                let isSecret =
                    ["password", "secret", "token", "credential", "private_key", "api_key", "access_key"]
                    .contains { lowered.contains($0) } || lowered == "key"
                // A path to a key file is not itself a secret; its contents are.
                let isPath = lowered.hasSuffix("_path") || lowered.hasSuffix("_file")
                result[name] = isSecret && !isPath && member != .null ? "<redacted>" : redactingSecrets(in: member)
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(redactingSecrets(in:)))
        default:
            return value
        }
    }

    /// This configuration with an RFC 7396 merge patch applied, decoded back into a configuration.
    ///
    /// Throws a ``CoreError`` naming the field when the result is not a valid configuration.
    public func applying(mergePatch patch: JSONValue) throws(CoreError) -> ServerConfiguration {
        guard patch.objectValue != nil else {
            throw CoreError(.validationFailed, "A configuration patch must be a JSON object", field: "")
        }
        let current: JSONValue
        do { current = try JSONValue(encoding: self) } catch {
            throw CoreError(.internalError, "Could not encode the current configuration: \(error)")
        }
        let merged = current.applyingMergePatch(patch)
        do {
            return try merged.decode(as: ServerConfiguration.self)
        } catch let error as DecodingError {
            throw CoreError.decoding(error)
        } catch {
            throw CoreError(.validationFailed, "\(error)")
        }
    }
}
