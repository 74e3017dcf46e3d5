import AutoGitCore

/// The writes the provisioning service makes through the engine: a runner record for each new instance, and the
/// reasons shown on jobs that wait for capacity. Each is one step of the actor (nothing else runs between its check
/// and its change), made through ``save(_:)-(Runner)`` and ``save(_:)-(Job)`` so the engine's indexes follow, and
/// committed before it returns. An agent takes its record over through ``register(_:)`` like any other; removals go
/// through ``perform(_:on:stop:)`` and ``deleteRunner(_:force:eventDetails:)``, so the engine's re-queue rules apply.
extension Fleet {
    /// The runner record of an instance a provider just created, in status `provisioning` (it takes no job, so no
    /// scheduling pass is needed) until its agent registers and takes it over. When an agent of that name registered
    /// already (it was quicker than the provision call returned), that runner is tied to the instance instead.
    /// `details` go into the `runner_provisioned` event.
    func recordProvisionedRunner(
        name: String, provider: String, instanceID: String, labels: [String], details: [String: JSONValue]
    ) async throws(ServerError) -> Runner {
        let quicker = (runnerIDsByName[name] ?? []).sorted().compactMap { runners[$0] }.first { runner in
            runner.instanceID == nil || (runner.instanceID == instanceID && runner.provider == provider)
        }
        let runner: Runner
        let change: StoreChange
        if var existing = quicker {
            existing.provider = provider
            existing.instanceID = instanceID
            change = save(existing)
            runner = existing
            logRunner(runner.id, "Runner '\(name)' is instance \(instanceID) of provider \(provider)")
        } else {
            var record = Runner(
                id: Self.newID("runner-"), name: name, status: .provisioning, labels: labels, provider: provider, instanceID: instanceID)
            record.statistics = RunnerStatistics()
            change = save(record)
            runner = record
            logRunner(runner.id, "Runner '\(name)' provisioned by provider \(provider) (instance \(instanceID)); waiting for its agent")
        }
        var payload = details
        payload["runner_id"] = .string(runner.id)
        payload["name"] = .string(name)
        payload["provider"] = .string(provider)
        payload["instance_id"] = .string(instanceID)
        events.publish(.runnerProvisioned, .object(payload), at: now())
        try await commit([change])
        return runner
    }

    /// Sets (or, with nil, clears) the `status_reason` of queued jobs; jobs no longer queued are left alone. A reason
    /// changes nothing the scheduler reads, so no pass is asked for.
    func noteWaitingReasons(_ reasons: [String: String?]) async {
        var changes: [StoreChange] = []
        for (id, reason) in reasons {
            guard var job = jobs[id], job.status == .queued, job.statusReason != reason else { continue }
            job.statusReason = reason
            changes.append(save(job))
        }
        guard !changes.isEmpty else { return }
        try? await commit(changes)
    }
}
