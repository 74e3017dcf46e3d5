import AutoGitCore
import Foundation
import Synchronization

/// Everything the handlers and middleware of one running server reach: the engine, the stores, the configuration in
/// force and the counters behind `/metrics`.
final class APIContext: Sendable {
    let dataDirectory: String
    let store: DurableStore
    let configuration: LiveConfiguration
    let fleet: Fleet
    let events: EventBus
    let logs: JobLogStore
    let tokens: TokenStore
    let sessions: SessionIssuer
    let webhooks: WebhookDispatcher
    /// Supervised model servers (the instances group).
    let instances: InstanceManager
    /// Projects, runs, metric series and artifacts.
    let experiments: ExperimentTracking
    /// The fleeting providers and the autoscaling loop.
    let provisioning: ProvisioningService
    let rateLimiter = RateLimiter()
    let requestMetrics = RequestMetrics()
    let startedAt: Date
    let log: @Sendable (String) -> Void
    private let stopping = Atomic<Bool>(false)

    init(
        dataDirectory: String, store: DurableStore, configuration: LiveConfiguration, fleet: Fleet, events: EventBus,
        logs: JobLogStore, tokens: TokenStore, sessions: SessionIssuer, webhooks: WebhookDispatcher, instances: InstanceManager,
        experiments: ExperimentTracking, provisioning: ProvisioningService, startedAt: Date,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.dataDirectory = dataDirectory
        self.store = store
        self.configuration = configuration
        self.fleet = fleet
        self.events = events
        self.logs = logs
        self.tokens = tokens
        self.sessions = sessions
        self.webhooks = webhooks
        self.instances = instances
        self.experiments = experiments
        self.provisioning = provisioning
        self.startedAt = startedAt
        self.log = log
    }

    /// Set when shutdown begins: `/v1/health` answers 503 from then on.
    var isStopping: Bool {
        get { stopping.load(ordering: .relaxed) }
        set { stopping.store(newValue, ordering: .relaxed) }
    }

    /// The engine's settings for `configuration`.
    static func fleetOptions(for configuration: ServerConfiguration) -> Fleet.Options {
        var options = Fleet.Options()
        let interval = max(0.1, configuration.runners.heartbeatIntervalSeconds)
        options.heartbeatInterval = interval
        options.missedHeartbeatsBeforeOffline = max(1, configuration.runners.offlineAfterSeconds / interval)
        options.metricSamples = max(1, min(1_000_000, Int(Double(configuration.runners.metricsRetentionSeconds) / interval)))
        options.maximumPollWait = max(0, configuration.jobs.longPollSeconds)
        options.jobLimits = configuration.jobs.limits
        return options
    }

    /// Makes the settings of a changed configuration take effect where they can without a restart.
    func configurationChanged(to configuration: ServerConfiguration) async {
        await fleet.update(options: Self.fleetOptions(for: configuration))
        await webhooks.update(settings: configuration.webhooks)
        await instances.update(settings: configuration.instances)
        await provisioning.configurationChanged(to: configuration)
    }
}
