import AutoGitCore
import AutoGitFleeting
import Foundation

/// The life of an instance in the server's view: recorded when created, drained and deprovisioned when removed,
/// compared with the plugin's `list()` in between.
extension ProvisioningService {
    // MARK: Created

    /// Records new instances, each with a runner record in status `provisioning` that its agent takes over, and
    /// returns those records as they were made.
    @discardableResult
    func record(
        _ created: [FleetingInstance], provider index: Int, shape: ProvisionShape, reason: String, detail: String
    ) async -> [Runner] {
        let runtime = runtimes[index]
        let date = now()
        var runners: [Runner] = []
        for var instance in created {
            if instance.createdAt == nil { instance.createdAt = date }
            if instance.shape == ProvisionShape() { instance.shape = shape }
            var record = ProvisionedInstance(
                provider: runtime.name, instance: instance, tokenID: runtime.tokenID, provisionReason: reason)
            var details: [String: JSONValue] = ["reason": .string(reason), "detail": .string(detail)]
            if let offer = instance.shape.offerID { details["offer_id"] = .string(offer) }
            do {
                let runner = try await fleet.recordProvisionedRunner(
                    name: instance.runnerName, provider: runtime.name, instanceID: instance.id,
                    labels: runtime.policy.labels + instance.shape.labels, details: details)
                record.runnerID = runner.id
                runners.append(runner)
                if runner.status != .provisioning { record.registeredAt = runner.registeredAt ?? date }
            } catch {
                log("provisioning: provider \(runtime.name): cannot record the runner of instance \(instance.id): \(error.message)")
            }
            records[record.key] = record
            await persist(record)
            log(
                "provisioning: provider \(runtime.name) created instance \(instance.id) (runner \(instance.runnerName)\(record.runnerID.map { ", \($0)" } ?? "")) for \(reason): \(detail)"
            )
        }
        return runners
    }

    func persist(_ record: ProvisionedInstance) async {
        do {
            try await store.commit(try StoreChange.put(ProvisionedInstance.collection, record.key, record))
        } catch {
            log("provisioning: cannot store instance \(record.key): \(error)")
        }
    }

    // MARK: Removed

    /// Marks an instance for removal and drains its runner (no new jobs). With `force` its jobs are re-queued
    /// instead of awaited. The instance is deprovisioned by ``finishRemovals(runners:)`` once its runner is free.
    func beginRemoval(_ key: String, reason: String, detail: String, force: Bool) async {
        guard var record = records[key] else { return }
        if var removal = record.removal {
            guard force, !removal.force else { return }
            removal.force = true
            record.removal = removal
        } else {
            record.removal = ProvisionedInstance.Removal(reason: reason, detail: detail, force: force, requestedAt: now())
            log(
                "provisioning: removing \(record.provider) instance \(record.instance.id)\(record.runnerID.map { " (runner \($0))" } ?? "") for \(reason): \(detail)"
            )
        }
        records[key] = record
        await persist(record)
        guard !force, let runnerID = record.runnerID else { return }
        // Not every status can be stopped (a runner still provisioning, one stopped already): those take no job anyway.
        _ = try? await fleet.perform(
            .stop, on: runnerID, stop: RunnerStopRequest(graceful: true, reason: "deprovisioning (\(reason))"))
    }

    /// Deprovisions every instance marked for removal whose runner holds no job any more.
    func finishRemovals(runners: [String: FleetDemandSnapshot.RunnerState]) async {
        for index in runtimes.indices {
            await finishRemovals(of: index, runners: runners)
        }
    }

    func finishRemovals(of index: Int, runners: [String: FleetDemandSnapshot.RunnerState]) async {
        let name = runtimes[index].name
        let ready = records.values.filter { record in
            guard record.provider == name, let removal = record.removal else { return false }
            if removal.force { return true }
            guard let runnerID = record.runnerID, let state = runners[runnerID] else { return true }
            return state.busySlots == 0 && !state.runner.status.acceptsJobs
        }
        .sorted { $0.key < $1.key }
        guard !ready.isEmpty, let plugin = runtimes[index].plugin else { return }
        let ids = ready.map(\.instance.id)
        let removed: Set<String>
        do {
            removed = Set(try await plugin.deprovision(ids: ids))
        } catch {
            log(
                "provisioning: provider \(name) could not deprovision \(ids.joined(separator: ", ")): \(Self.describe(error)); trying again later"
            )
            return
        }
        for record in ready {
            if removed.contains(record.instance.id) {
                await retire(record)
            } else {
                log("provisioning: provider \(name) still has instance \(record.instance.id) after deprovisioning it; trying again later")
            }
        }
    }

    /// Forgets an instance that is gone: its runner record goes (its jobs, if any, back to the queue), with a
    /// `runner_deprovisioned` event naming the provider, the instance and the reason.
    func retire(_ record: ProvisionedInstance) async {
        let reason = record.removal?.reason ?? "removed"
        let detail = record.removal?.detail ?? ""
        let details: [String: JSONValue] = [
            "provider": .string(record.provider), "instance_id": .string(record.instance.id), "reason": .string(reason),
            "detail": .string(detail),
        ]
        if let runnerID = record.runnerID, (try? await fleet.runner(runnerID)) != nil {
            _ = try? await fleet.deleteRunner(runnerID, force: true, eventDetails: details)
            try? await tokens.revokeTokens(ofRunner: runnerID)
        } else {
            var payload = details
            payload["runner_id"] = .string(record.runnerID ?? "")
            payload["name"] = .string(record.instance.runnerName)
            events.publish(.runnerDeprovisioned, .object(payload), at: now())
        }
        records[record.key] = nil
        idleSince[record.key] = nil
        do {
            try await store.commit(.delete(ProvisionedInstance.collection, record.key))
        } catch {
            log("provisioning: cannot forget instance \(record.key): \(error)")
        }
        log(
            "provisioning: \(record.provider) instance \(record.instance.id) (runner \(record.instance.runnerName)) deprovisioned for \(reason)"
        )
        if reason == AutoscalingDecision.Reason.registrationTimeout.rawValue {
            alert(
                .warn, source: record.provider,
                "Instance \(record.instance.id) of provider \(record.provider) was removed: its agent never registered (\(detail))",
                details: details)
        }
        // A provider being removed from the configuration goes once its last instance has.
        if let index = runtimes.firstIndex(where: { $0.name == record.provider }), runtimes[index].status == .removing,
            !records.values.contains(where: { $0.provider == record.provider })
        {
            if let id = runtimes[index].tokenID { retiredTokenIDs.insert(id) }
            runtimes.remove(at: index)
            log("provisioning: provider \(record.provider) removed")
        }
    }

    // MARK: Reconciliation

    /// Compares the plugin's `list()` with the server's view of the provider's instances: states are brought up to
    /// date, vanished instances are retired (their jobs re-queued), and instances of nobody are reported once.
    func reconcile(_ index: Int) async {
        guard let plugin = runtimes[index].plugin else { return }
        let name = runtimes[index].name
        let listed: [FleetingInstance]
        do {
            listed = try await plugin.list()
        } catch {
            log("provisioning: provider \(name): list failed: \(Self.describe(error)); its instances are left as they were")
            return
        }
        let byID = Dictionary(listed.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for record in records.values.filter({ $0.provider == name }).sorted(by: { $0.key < $1.key }) {
            guard let found = byID[record.instance.id], found.state != .gone else {
                await vanished(record)
                continue
            }
            var updated = record
            updated.instance.state = found.state
            updated.instance.reason = found.reason
            updated.instance.metadata.merge(found.metadata) { _, new in new }
            guard updated != record else { continue }
            records[record.key] = updated
            if found.state != record.instance.state {
                log(
                    "provisioning: \(name) instance \(record.instance.id) is now \(found.state.rawValue)\(found.reason.map { " (\($0))" } ?? "")"
                )
                await persist(updated)
            }
        }
        for instance in listed where instance.state.isAlive {
            let key = ProvisionedInstance.key(provider: name, id: instance.id)
            guard records[key] == nil, reportedUnknown.insert(key).inserted else { continue }
            log(
                "provisioning: provider \(name) has instance \(instance.id) (runner \(instance.runnerName)) that this server did not create; it is left alone"
            )
            alert(
                .warn, source: name,
                "Provider \(name) has an instance this server does not know: \(instance.id) (runner \(instance.runnerName)); it is left alone",
                details: [
                    "provider": .string(name), "instance_id": .string(instance.id), "runner_name": .string(instance.runnerName),
                    "state": .string(instance.state.rawValue),
                ])
        }
    }

    /// An instance the provider no longer lists: removed on purpose (retired now), or lost (its jobs re-queued).
    private func vanished(_ record: ProvisionedInstance) async {
        var gone = record
        gone.instance.state = .gone
        if gone.removal == nil {
            gone.removal = ProvisionedInstance.Removal(
                reason: "vanished", detail: "the provider no longer lists it", force: true, requestedAt: now())
            log("provisioning: \(record.provider) instance \(record.instance.id) vanished; its runner's jobs go back to the queue")
            alert(
                .warn, source: record.provider,
                "Instance \(record.instance.id) of provider \(record.provider) vanished; its runner's jobs were re-queued",
                details: [
                    "provider": .string(record.provider), "instance_id": .string(record.instance.id),
                    "runner_id": .string(record.runnerID ?? ""),
                ])
        }
        await retire(gone)
    }

    // MARK: Registration tokens

    /// Registration tokens of earlier runs: those no booting instance was started with are revoked now, the others
    /// once their agents registered.
    func retireTokensOfEarlierRuns() async {
        var offset = 0
        while true {
            let page = await tokens.list(role: .runner, limit: 500, offset: offset)
            for token in page.items where token.runnerID == nil && token.name.hasPrefix(Self.tokenPrefix) {
                retiredTokenIDs.insert(token.id)
            }
            guard page.hasMore else { break }
            offset += page.items.count
        }
        await revokeUnusedTokens()
    }

    /// Revokes retired tokens that no booting instance still needs.
    func revokeUnusedTokens() async {
        guard !retiredTokenIDs.isEmpty else { return }
        let needed = Set(records.values.filter(\.isBooting).compactMap(\.tokenID))
        for id in retiredTokenIDs.subtracting(needed).sorted() {
            try? await tokens.revoke(id)
            retiredTokenIDs.remove(id)
        }
    }
}
