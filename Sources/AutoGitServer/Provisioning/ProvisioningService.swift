import AutoGitCore
import AutoGitFleeting
import Foundation

/// Runs the configured fleeting providers: starts their plugins, runs the ``Autoscaler`` over them, carries its
/// decisions out, and keeps the server's view of their instances true.
///
/// - **Start.** ``start(serverURL:)`` returns at once; the loop then starts every provider's plugin (with a
///   registration token made for it), compares each plugin's `list()` with the instances the store remembers, and
///   begins its passes. A provider whose plugin cannot start is shown as `error` and tried again at each
///   reconciliation; the server runs regardless.
/// - **Passes.** A pass reads the queue and the runners from the ``Fleet`` (``Fleet/demandSnapshot(includingQueue:)``),
///   asks the autoscaler for a plan and carries it out: provisions (each instance gets a runner record in status
///   `provisioning` that its agent takes over when it registers), drains and deprovisions, and writes on each
///   waiting job why it waits. Passes run when jobs or runners change (the event bus), when an idle or
///   registration timeout falls due, and at least every `autoscaling.interval_seconds`.
/// - **Reconciliation.** On start and every `autoscaling.reconcile_interval_seconds` each plugin's `list()` is
///   compared with the server's view: instances it does not know are reported (a log line and a `system_alert`),
///   never adopted or killed; instances that vanished are marked gone, their runners removed and their jobs
///   re-queued.
/// - **Failures.** A provision that fails rests the provider for `autoscaling.failure_backoff_seconds` (demand
///   goes to other providers meanwhile), raises a `system_alert`, and shows "waiting for capacity: provider P
///   failed: …" on the jobs that wait; the provider's `list()` is then checked so that nothing created anyway
///   goes unnoticed.
/// - **Shutdown** (``shutdown()``) stops the loop and deprovisions only the instances of providers with
///   `stop_on_shutdown` (by default `local`, whose agents are the server's own children); batch jobs and remote
///   agents keep running and are found again by the next start's reconciliation.
///
/// Everything that calls a plugin runs one at a time (a pass, a `POST /v1/runners`, a `DELETE /v1/runners/{id}`,
/// a configuration change), so the server's view never races with what it is changing; reads (the provider
/// listing) go on meanwhile.
actor ProvisioningService {
    let fleet: Fleet
    let events: EventBus
    let store: DurableStore
    let tokens: TokenStore
    let configuration: LiveConfiguration
    let registry: PluginRegistry
    /// The `autogit` binary agents run, unless a provider's settings say otherwise.
    let agentExecutable: String
    let log: @Sendable (String) -> Void
    let now: @Sendable () -> Date
    let trigger = PassTrigger()

    /// The configured providers, in configuration order (those being removed stay until their instances are gone).
    var runtimes: [ProviderRuntime] = []
    /// The instances of every provider, by ``ProvisionedInstance/key``.
    var records: [String: ProvisionedInstance] = [:]
    /// Since when each registered instance has run no job (in memory: a restart starts the idle clocks again).
    var idleSince: [String: Date] = [:]
    /// Instances of nobody reported already, so they are reported once per run.
    var reportedUnknown: Set<String> = []
    /// Jobs whose `status_reason` this service wrote.
    var reasonedJobs: Set<String> = []
    /// Registration tokens no longer handed out, revoked once no booting agent still needs them.
    var retiredTokenIDs: Set<String> = []
    var serverURL = "http://127.0.0.1:8080"
    var nextReconciliation = Date.distantPast
    var isStopped = false
    private var loop: Task<Void, Never>?
    private var listener: Task<Void, Never>?
    private var isBusy = false
    private var gateWaiters: [CheckedContinuation<Void, Never>] = []

    init(
        fleet: Fleet, events: EventBus, store: DurableStore, tokens: TokenStore, configuration: LiveConfiguration,
        registry: PluginRegistry = PluginRegistry(), agentExecutable: String = "autogit", log: @escaping @Sendable (String) -> Void,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.fleet = fleet
        self.events = events
        self.store = store
        self.tokens = tokens
        self.configuration = configuration
        self.registry = registry
        self.agentExecutable = agentExecutable
        self.log = log
        self.now = now
    }

    /// Loads the remembered instances and starts the loop; returns at once. `serverURL` is where agents reach this
    /// server unless the configuration has a `server.public_url`.
    func start(serverURL: String) {
        guard loop == nil, !isStopped else { return }
        self.serverURL = serverURL
        for record in store.decodedValues(in: ProvisionedInstance.collection, as: ProvisionedInstance.self).values {
            records[record.key] = record
        }
        runtimes = configuration.current.providers.map(Self.runtime(for:))
        for record in records.values where !runtimes.contains(where: { $0.name == record.provider }) {
            log(
                "provisioning: instance \(record.instance.id) of provider \(record.provider), which is no longer configured, is left alone"
            )
            records[record.key] = nil
        }
        let subscription = events.subscribe(types: [.jobStatusChanged, .runnerStatusChanged])
        listener = Task { [trigger] in
            for await _ in subscription { trigger.signal() }
        }
        loop = Task { await self.run() }
    }

    /// Stops the loop, then deprovisions the instances of providers that stop with the server (`stop_on_shutdown`).
    /// Safe to call more than once.
    func shutdown() async {
        guard !isStopped else { return }
        isStopped = true
        listener?.cancel()
        loop?.cancel()
        await loop?.value
        await listener?.value
        await acquire()
        defer { release() }
        // A server stopped right after it started may not have started the plugins it must stop instances with.
        let owning = Set(records.values.map(\.provider))
        if runtimes.contains(where: { $0.plugin == nil && $0.entry.stopsOnShutdown && owning.contains($0.name) }) {
            await initializeProviders(at: now())
        }
        for index in runtimes.indices where runtimes[index].entry.stopsOnShutdown {
            let name = runtimes[index].name
            let keys = records.values.filter { $0.provider == name }.map(\.key).sorted()
            guard !keys.isEmpty else { continue }
            log("provisioning: stopping \(keys.count) instance(s) of provider \(name) (stop_on_shutdown)")
            for key in keys {
                await beginRemoval(key, reason: "shutdown", detail: "the server is shutting down", force: true)
            }
            await finishRemovals(of: index, runners: [:])
        }
    }

    /// Wakes the loop for a pass as soon as it can run one.
    nonisolated func requestPass() {
        trigger.signal()
    }

    /// Applies a changed `providers` list (a `PATCH /v1/config`): new providers start, removed ones provision
    /// nothing more and lose their instances as these become idle, changed settings restart the plugin, changed
    /// policies apply at the next pass.
    func configurationChanged(to configuration: ServerConfiguration) async {
        await acquire()
        defer { release() }
        var updated: [ProviderRuntime] = []
        for entry in configuration.providers {
            if var runtime = runtimes.first(where: { $0.name == entry.name }) {
                if runtime.entry.type != entry.type || runtime.entry.settings != entry.settings || runtime.status == .removing {
                    log("provisioning: provider \(entry.name) changed; starting its plugin again")
                    runtime.status = .initializing
                    runtime.plugin = nil
                }
                runtime.entry = entry
                runtime.policy = (try? entry.autoscalingPolicy()) ?? AutoscalingPolicy()
                updated.append(runtime)
            } else {
                log("provisioning: provider \(entry.name) added")
                updated.append(Self.runtime(for: entry))
            }
        }
        for var runtime in runtimes where !configuration.providers.contains(where: { $0.name == runtime.name }) {
            guard runtime.plugin != nil, records.values.contains(where: { $0.provider == runtime.name }) else {
                log("provisioning: provider \(runtime.name) removed")
                if let id = runtime.tokenID { retiredTokenIDs.insert(id) }
                continue
            }
            log("provisioning: provider \(runtime.name) removed; its instances go as they become idle")
            runtime.status = .removing
            updated.append(runtime)
        }
        runtimes = updated
        trigger.signal()
    }

    static func runtime(for entry: ServerConfiguration.ProviderEntry) -> ProviderRuntime {
        ProviderRuntime(entry: entry, policy: (try? entry.autoscalingPolicy()) ?? AutoscalingPolicy())
    }

    // MARK: The loop

    private func run() async {
        await retireTokensOfEarlierRuns()
        var lastPass = ContinuousClock.now
        while !Task.isCancelled {
            await acquire()
            lastPass = ContinuousClock.now
            await pass()
            let delay = nextDelay()
            release()
            await trigger.wait(upTo: delay)
            // Events come in bursts (a job's assigned, running, succeeded): let a burst settle into one pass.
            let spacing = Duration.milliseconds(20) - (ContinuousClock.now - lastPass)
            if spacing > .zero { try? await Task.sleep(for: spacing) }
        }
    }

    /// Until the next timeout falls due (an idle instance's `idle_timeout`, a booting one's `registration_timeout`,
    /// a resting provider's return, the next reconciliation), at most `autoscaling.interval_seconds`.
    private func nextDelay() -> Duration {
        let date = now()
        var next = date.addingTimeInterval(max(0.05, configuration.current.autoscaling.intervalSeconds))
        func consider(_ deadline: Date) {
            if deadline > date, deadline < next { next = deadline }
        }
        consider(nextReconciliation)
        for runtime in runtimes {
            if let until = runtime.unavailableUntil { consider(until) }
        }
        for record in records.values {
            guard let runtime = runtimes.first(where: { $0.name == record.provider }) else { continue }
            let policy = runtime.effectivePolicy.effective(at: date)
            if record.isBooting, let created = record.instance.createdAt {
                consider(created.addingTimeInterval(policy.registrationTimeout))
            }
            if let since = idleSince[record.key] {
                consider(since.addingTimeInterval(policy.idleTimeout))
            }
        }
        // A little past the deadline, so that the pass sees it passed.
        let seconds = max(0.01, next.timeIntervalSince(date) + 0.005)
        return .milliseconds(Int64(seconds * 1000))
    }

    // MARK: One caller at a time

    /// Waits until no other pass, request or change is calling plugins, and holds that turn until ``release()``.
    func acquire() async {
        guard isBusy else {
            isBusy = true
            return
        }
        await withCheckedContinuation { gateWaiters.append($0) }
    }

    func release() {
        if gateWaiters.isEmpty {
            isBusy = false
        } else {
            gateWaiters.removeFirst().resume()
        }
    }
}
