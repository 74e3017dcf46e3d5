import AutoGitCore
import AutoGitFleeting
import Foundation

/// One autoscaling pass: start what needs starting, reconcile when due, read the fleet, plan, carry the plan out,
/// and say on every waiting job why it waits.
extension ProvisioningService {
    func pass() async {
        guard !runtimes.isEmpty || !records.isEmpty else { return }
        let date = now()
        let started = await initializeProviders(at: date)
        if date >= nextReconciliation {
            // Providers that just started were reconciled as they did.
            for index in runtimes.indices where runtimes[index].plugin != nil && !started.contains(runtimes[index].name) {
                await reconcile(index)
            }
            nextReconciliation = date.addingTimeInterval(max(0.1, configuration.current.autoscaling.reconcileIntervalSeconds))
        }
        var snapshot = await fleet.demandSnapshot()
        await synchronize(with: snapshot, placeable: DemandAnalysis(snapshot).placeable)
        snapshot = await fleet.demandSnapshot()

        // A provider that fails rests, and the plan is made again so that its demand can go elsewhere at once.
        var analysis = DemandAnalysis(snapshot)
        var plan = AutoscalingPlan()
        for _ in 0...runtimes.count {
            plan = Autoscaler().plan(
                providers: providerStates(snapshot, placeable: analysis.placeable, at: date), demand: analysis.demand, now: date)
            var failed = false
            for decision in plan.decisions {
                log("autoscaler: \(decision)")
                switch decision.action {
                case .provision(let count, let shape):
                    let created = await provision(
                        count, shape, provider: decision.provider, reason: decision.reason.rawValue, detail: decision.detail)
                    if !created { failed = true }
                case .deprovision(let ids):
                    for id in ids {
                        await beginRemoval(
                            ProvisionedInstance.key(provider: decision.provider, id: id), reason: decision.reason.rawValue,
                            detail: decision.detail, force: decision.reason == .instanceFailed)
                    }
                }
            }
            if !plan.decisions.isEmpty {
                snapshot = await fleet.demandSnapshot()
                analysis = DemandAnalysis(snapshot)
            }
            if !failed { break }
        }
        await finishRemovals(runners: Self.runnersByID(snapshot))
        await noteReasons(analysis, plan, at: date)
        await revokeUnusedTokens()
    }

    static func runnersByID(_ snapshot: FleetDemandSnapshot) -> [String: FleetDemandSnapshot.RunnerState] {
        Dictionary(snapshot.runners.map { ($0.runner.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: Starting providers

    /// Starts the plugins of providers that are new, changed, or failed before (those at each reconciliation), in
    /// parallel, then reconciles each that started; returns the names of those.
    @discardableResult
    func initializeProviders(at date: Date) async -> Set<String> {
        let retrying = date >= nextReconciliation
        let pending = runtimes.indices.filter { index in
            switch runtimes[index].status {
            case .initializing: true
            case .failed: retrying
            default: false
            }
        }
        guard !pending.isEmpty else { return [] }
        var launches: [(index: Int, entry: ServerConfiguration.ProviderEntry, agent: AgentLaunch)] = []
        for index in pending {
            guard let secret = await registrationToken(for: index) else { continue }
            let runtime = runtimes[index]
            let url = configuration.current.server.publicURL ?? serverURL
            launches.append(
                (
                    index, runtime.entry,
                    AgentLaunch(serverURL: url, registrationToken: secret, executable: agentExecutable, labels: runtime.policy.labels)
                ))
        }
        let registry = self.registry
        let results = await withTaskGroup(of: (Int, Result<StartedPlugin, any Error>).self) { group in
            for launch in launches {
                group.addTask {
                    do {
                        let started = try await registry.start(launch.entry, agent: launch.agent)
                        return (launch.index, .success(StartedPlugin(plugin: started.plugin, info: started.info)))
                    } catch {
                        return (launch.index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<StartedPlugin, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var ready: Set<String> = []
        for (index, result) in results {
            let name = runtimes[index].name
            switch result {
            case .success(let started):
                ready.insert(name)
                runtimes[index].plugin = started.plugin
                runtimes[index].info = started.info
                runtimes[index].status = .ready
                let offers = started.info.offers.map { offer in
                    "\(offer.id) (\(offer.gpuCount) × \(offer.gpuType ?? "GPU"), \(offer.hourlyPrice.map { "\($0) \(offer.currency)/h" } ?? "no price"))"
                }
                log(
                    "provisioning: provider \(name) ready (\(started.info.name) plugin \(started.info.version)); offers: \(offers.joined(separator: ", "))"
                )
                await reconcile(index)
            case .failure(let error):
                let message = Self.describe(error, of: name)
                let wasFailing = runtimes[index].status != .initializing
                runtimes[index].status = .failed(message)
                log("provisioning: provider \(name) could not start: \(message)")
                if !wasFailing {
                    alert(.error, source: name, "Provider \(name) could not start: \(message)", details: ["provider": .string(name)])
                }
            }
        }
        return ready
    }

    /// The secret of the provider's registration token, made on first use.
    func registrationToken(for index: Int) async -> String? {
        if let secret = runtimes[index].tokenSecret { return secret }
        let name = runtimes[index].name
        do {
            let token = try await tokens.create(name: "\(Self.tokenPrefix)\(name)", role: .runner)
            runtimes[index].tokenID = token.id
            runtimes[index].tokenSecret = token.token
            return token.token
        } catch {
            runtimes[index].status = .failed("cannot create its registration token: \(error.message)")
            log("provisioning: provider \(name): cannot create its registration token: \(error.message)")
            return nil
        }
    }

    // MARK: The fleet's view

    /// Notes which instances' agents registered and which instances went idle, and removes the instances whose runner
    /// was deleted by someone else (a bulk delete). A runner with no job but a queued job it can take (`placeable`)
    /// is about to be busy, so its idle clock does not run.
    func synchronize(with snapshot: FleetDemandSnapshot, placeable: [String: Int]) async {
        let runners = Self.runnersByID(snapshot)
        let date = now()
        for key in records.keys.sorted() {
            guard var record = records[key], let runnerID = record.runnerID else { continue }
            guard let state = runners[runnerID] else {
                if record.removal == nil {
                    await beginRemoval(key, reason: "runner_deleted", detail: "its runner \(runnerID) was deleted", force: true)
                }
                continue
            }
            if record.registeredAt == nil, state.runner.status != .provisioning {
                record.registeredAt = state.runner.registeredAt ?? date
                records[key] = record
                await persist(record)
                let after =
                    record.instance.createdAt.map { String(format: " %.1f s after it was created", date.timeIntervalSince($0)) } ?? ""
                log(
                    "provisioning: \(record.provider) instance \(record.instance.id) registered as runner \(runnerID) (\(state.runner.name))\(after)"
                )
            }
            guard record.registeredAt != nil else { continue }
            if state.busySlots == 0 && placeable[runnerID, default: 0] == 0 {
                if idleSince[key] == nil { idleSince[key] = date }
            } else {
                idleSince[key] = nil
            }
        }
    }

    /// What the autoscaler knows of each provider that can act: its policy, offers, and every instance joined with
    /// its runner. Queued jobs a runner can take now count as its busy slots already.
    func providerStates(_ snapshot: FleetDemandSnapshot, placeable: [String: Int], at date: Date) -> [ProviderState] {
        let runners = Self.runnersByID(snapshot)
        return runtimes.compactMap { runtime in
            guard runtime.plugin != nil, let info = runtime.info, runtime.status == .ready || runtime.status == .removing else {
                return nil
            }
            let instances = records.values.filter { $0.provider == runtime.name }.sorted { $0.key < $1.key }.map { record in
                let state = record.runnerID.flatMap { runners[$0] }
                let busy = (state?.busySlots ?? 0) + (record.runnerID.map { placeable[$0, default: 0] } ?? 0)
                let stopped = state.map { [.draining, .stopping, .stopped].contains($0.runner.status) } ?? false
                return ProviderState.InstanceState(
                    instance: record.instance, registeredAt: record.registeredAt, busySlots: busy,
                    jobsStarted: (state?.runner.statistics?.totalJobsExecuted ?? 0) + (state?.busySlots ?? 0),
                    idleSince: busy == 0 ? idleSince[record.key] : nil, isDraining: record.removal != nil || stopped)
            }
            return ProviderState(
                name: runtime.name, policy: runtime.effectivePolicy, info: info, instances: instances,
                unavailableUntil: runtime.unavailableUntil)
        }
    }

    // MARK: Provisioning

    /// Asks the provider for `count` instances of `shape` and records what it made; false when it made none.
    func provision(_ count: Int, _ shape: ProvisionShape, provider name: String, reason: String, detail: String) async -> Bool {
        guard let index = runtimes.firstIndex(where: { $0.name == name }), let plugin = runtimes[index].plugin else { return false }
        let created: [FleetingInstance]
        do {
            created = try await plugin.provision(count: count, shape: shape)
        } catch {
            await provisionFailed(index, error, count: count, shape: shape)
            return false
        }
        guard !created.isEmpty else {
            await provisionFailed(
                index, CoreError(.pluginUnavailable, "it created no instance and gave no reason"), count: count, shape: shape)
            return false
        }
        if created.count < count {
            log("provisioning: provider \(name) created \(created.count) of the \(count) instances asked for")
        }
        runtimes[index].lastFailure = nil
        await record(created, provider: index, shape: shape, reason: reason, detail: detail)
        return true
    }

    /// Rests the provider, tells people, and checks that the failed call left nothing behind.
    func provisionFailed(_ index: Int, _ error: any Error, count: Int, shape: ProvisionShape) async {
        let name = runtimes[index].name
        let message = Self.describe(error, of: name)
        let code = (error as? CoreError)?.code.rawValue ?? ErrorCode.pluginUnavailable.rawValue
        let until = now().addingTimeInterval(max(0, configuration.current.autoscaling.failureBackoffSeconds))
        runtimes[index].unavailableUntil = until
        runtimes[index].lastFailure = message
        log(
            "provisioning: provider \(name) failed to provision \(count) × \(shape.offerID ?? "default") (\(code)): \(message); resting until \(RFC3339.string(from: until))"
        )
        var details: [String: JSONValue] = [
            "provider": .string(name), "code": .string(code), "count": .number(Double(count)),
            "gpu_count": .number(Double(shape.gpuCount)), "retry_after": .string(RFC3339.string(from: until)),
        ]
        if let offer = shape.offerID { details["offer_id"] = .string(offer) }
        if let type = shape.gpuType { details["gpu_type"] = .string(type) }
        alert(.error, source: name, "Provider \(name) failed to provision: \(message)", details: details)
        await reconcile(index)
    }

    // MARK: Reasons on waiting jobs

    /// Writes on each waiting job why it waits: for a new runner that is coming, or for capacity nobody can give
    /// now (with the provider's failure when that is why); clears what it wrote on jobs that no longer wait for it.
    func noteReasons(_ analysis: DemandAnalysis, _ plan: AutoscalingPlan, at date: Date) async {
        guard !runtimes.isEmpty else { return }
        var reasons: [String: String?] = [:]
        let booting = Dictionary(grouping: records.values.filter { $0.isBooting && $0.removal == nil }, by: \.provider)
        let coming =
            booting.isEmpty
            ? "waiting for a new runner"
            : "waiting for a new runner: "
                + booting.keys.sorted().map { "\($0) is starting \(booting[$0]?.count ?? 0)" }.joined(separator: ", ")
        let notes = runtimes.compactMap { runtime -> String? in
            switch runtime.status {
            case .initializing: "provider \(runtime.name) is starting"
            case .failed(let message): "provider \(runtime.name) is unavailable: \(message)"
            default: nil
            }
        }
        for (shape, ids) in analysis.jobsByShape {
            let unserved = plan.unserved.first { $0.demand.shape == shape }
            let served = ids.count - (unserved?.jobCount ?? 0)
            for (position, id) in ids.enumerated() {
                if position < served {
                    reasons[id] = .some(coming)
                } else if let unserved {
                    reasons[id] = .some("waiting for capacity: " + explain(unserved.reason, notes: notes))
                }
            }
        }
        for id in reasonedJobs where reasons[id] == nil {
            reasons.updateValue(nil, forKey: id)
        }
        reasonedJobs = Set(reasons.compactMap { $0.value == nil ? nil : $0.key })
        await fleet.noteWaitingReasons(reasons)
    }

    /// The autoscaler's reason with each resting provider's failure spelled out, and the providers that cannot act.
    func explain(_ reason: String, notes: [String]) -> String {
        var text = reason
        for runtime in runtimes {
            guard let until = runtime.unavailableUntil else { continue }
            let resting = "\(runtime.name) is resting after a failed provision until \(RFC3339.string(from: until))"
            let failure = runtime.lastFailure.map { "provider \(runtime.name) failed: \($0)" } ?? "provider \(runtime.name) failed"
            text = text.replacingOccurrences(of: resting, with: "\(failure) (retrying after \(RFC3339.string(from: until)))")
        }
        return ([text] + notes).joined(separator: "; ")
    }

    // MARK: Helpers

    static let tokenPrefix = "fleeting provider "

    /// An error's message for people; with `provider`, without the provider's name the built-in plugins put first.
    static func describe(_ error: any Error, of provider: String? = nil) -> String {
        var message: String
        if let error = error as? CoreError {
            message = error.message
        } else if let error = error as? ServerError {
            message = error.message
        } else {
            message = "\(error)"
        }
        if let provider, message.hasPrefix(provider + ": ") { message.removeFirst(provider.count + 2) }
        return message
    }

    func alert(_ level: EventBus.AlertLevel, source: String, _ message: String, details: [String: JSONValue]) {
        events.publishAlert(level, source: source, message, details: details, at: now())
    }
}
