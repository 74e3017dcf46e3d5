import AutoGitCore

/// The writes the provisioning service makes through the engine: a runner record for each new instance, agents
/// bound to those records when they register, and the reasons shown on jobs that wait for capacity. Each is one step
/// of the actor (nothing else runs between its check and its change), committed before it returns.
extension Fleet {
    /// The runner record of an instance a provider just created, in status `provisioning` (it takes no job) until
    /// its agent registers and takes it over. When an agent of that name registered already (it was quicker than
    /// the provision call returned), that runner is tied to the instance instead. `details` go into the
    /// `runner_provisioned` event.
    func recordProvisionedRunner(
        name: String, provider: String, instanceID: String, labels: [String], details: [String: JSONValue]
    ) async throws(ServerError) -> Runner {
        if var existing = runners.values.first(where: { $0.name == name }) {
            existing.provider = provider
            existing.instanceID = instanceID
            let change = save(existing)
            try await commit([change])
            return existing
        }
        let id = Self.newID("runner-")
        var runner = Runner(id: id, name: name, status: .provisioning, labels: labels, provider: provider, instanceID: instanceID)
        runner.statistics = RunnerStatistics()
        let change = save(runner)
        logRunner(id, "Runner '\(name)' provisioned by provider \(provider) (instance \(instanceID)); waiting for its agent")
        var payload = details
        payload["runner_id"] = .string(id)
        payload["name"] = .string(name)
        payload["provider"] = .string(provider)
        payload["instance_id"] = .string(instanceID)
        events.publish(.runnerProvisioned, .object(payload), at: now())
        try await commit([change])
        return runner
    }

    /// Registers an agent; an agent that names a runner still `provisioning` takes that record over (same id,
    /// provider and instance), however quick it was.
    func registerProvisioned(_ registration: RunnerRegistration) async throws(ServerError) -> Runner {
        var registration = registration
        if registration.instanceID == nil,
            let record = runners.values.first(where: { $0.name == registration.name && $0.status == .provisioning }),
            let instanceID = record.instanceID,
            !runners.values.contains(where: { $0.id != record.id && $0.instanceID == instanceID })
        {
            registration.instanceID = instanceID
            registration.provider = registration.provider ?? record.provider
        }
        return try await register(registration)
    }

    /// Sets (or, with nil, clears) the `status_reason` of queued jobs; jobs no longer queued are left alone.
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
