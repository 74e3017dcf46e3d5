import AutoGitCore
import AutoGitFleeting
import Foundation

/// What the API asks of the provisioning service: the providers with their instances (`GET /v1/providers`), runners
/// made on request (`POST /v1/runners`), and the removal of a provisioned runner (`DELETE /v1/runners/{id}`).
extension ProvisioningService {
    /// Every configured provider (and any still being removed), with its offers, policy and instances.
    func providerViews() async -> [Provider] {
        let runners = Self.runnersByID(await fleet.demandSnapshot(includingQueue: false))
        let date = now()
        return runtimes.map { runtime in
            let instances = records.values.filter { $0.provider == runtime.name }.sorted { $0.key < $1.key }.map { record in
                let state = record.runnerID.flatMap { runners[$0] }
                return ProviderInstance(
                    id: record.instance.id, state: record.instance.state, runnerName: record.instance.runnerName,
                    runnerID: record.runnerID, runnerStatus: state?.runner.status, shape: record.instance.shape,
                    createdAt: record.instance.createdAt, registeredAt: record.registeredAt, idleSince: idleSince[record.key],
                    runningJobs: state?.busySlots ?? 0, provisionReason: record.provisionReason, removalReason: record.removal?.reason,
                    metadata: record.instance.metadata)
            }
            var message: String? = nil
            if case .failed(let text) = runtime.status { message = text }
            if let until = runtime.unavailableUntil, until > date, let failure = runtime.lastFailure {
                message = "provisioning failed: \(failure); resting until \(RFC3339.string(from: until))"
            }
            let limit = runtime.limit(at: date)
            return Provider(
                name: runtime.name, type: runtime.entry.type, status: runtime.status.word, message: message,
                version: runtime.info?.version, maxInstances: limit == Int.max ? nil : limit,
                instanceCount: instances.filter { $0.state.isAlive || $0.state == .deleting }.count,
                capabilities: (runtime.info?.capabilities ?? []).map(\.rawValue).sorted(), offers: runtime.info?.offers ?? [],
                policy: try? JSONValue(encoding: runtime.policy), instances: instances)
        }
    }

    /// Provisions `count` runners of the requested shape through the named provider, or the cheapest that fits;
    /// returns their runner records (status `provisioning`). 404 for a provider that is not configured, 409
    /// `RESOURCE_UNAVAILABLE` when none can serve the shape now (not ready, no fitting offer, at `max_instances`,
    /// or the plugin refused), 503 `RESOURCE_UNAVAILABLE` when the plugin could not be reached.
    func provision(_ request: RunnerProvisionRequest) async throws(ServerError) -> [Runner] {
        await acquire()
        defer { release() }
        guard !isStopped else { throw Self.stopping }
        // A request right after the server started need not fail because the plugins are still starting.
        if runtimes.contains(where: { $0.status == .initializing }) { await initializeProviders(at: now()) }
        let count = request.count ?? 1
        let demand = DemandShape(gpuCount: request.gpuCount ?? 0, gpuType: request.gpuType, architecture: request.architecture)
        let date = now()
        var obstacles: [String] = []
        var best: (index: Int, offer: Offer)?
        for index in runtimes.indices {
            let runtime = runtimes[index]
            if let name = request.provider, runtime.name != name { continue }
            guard runtime.status == .ready, runtime.plugin != nil, let info = runtime.info else {
                obstacles.append("provider \(runtime.name) is not ready (\(runtime.status.word))")
                continue
            }
            if let wanted = request.architecture, runtime.policy.architecture != wanted {
                obstacles.append("provider \(runtime.name) does not declare architecture \(wanted.rawValue)")
                continue
            }
            let fitting = info.offers.filter { demand.jobsPerInstance(of: $0, capacity: 1) > 0 }
                .sorted { ($0.hourlyPrice ?? 0, $0.id) < ($1.hourlyPrice ?? 0, $1.id) }
            guard let offer = fitting.first else {
                obstacles.append("provider \(runtime.name) has no offer with \(demand.gpuCount) × \(demand.gpuType ?? "any") GPU")
                continue
            }
            let alive = records.values.filter {
                $0.provider == runtime.name && $0.removal == nil && ($0.instance.state.isAlive || $0.instance.state == .deleting)
            }.count
            let limit = runtime.limit(at: date)
            guard alive + count <= limit else {
                obstacles.append("provider \(runtime.name) is at max_instances (\(alive) of \(limit))")
                continue
            }
            if let current = best, (current.offer.hourlyPrice ?? 0) <= (offer.hourlyPrice ?? 0) { continue }
            best = (index, offer)
        }
        if let name = request.provider, !runtimes.contains(where: { $0.name == name }) {
            throw ServerError(.providerNotFound, status: 404, "Provider '\(name)' is not configured", details: ["provider": .string(name)])
        }
        guard let (index, offer) = best, let plugin = runtimes[index].plugin else {
            let why = obstacles.isEmpty ? "no provider is configured" : obstacles.joined(separator: "; ")
            throw ServerError(
                .resourceUnavailable, status: 409, "No provider can create \(count) runner(s) of that shape now: \(why)",
                details: ["reasons": .array(obstacles.map { .string($0) })])
        }
        let name = runtimes[index].name
        let shape = ProvisionShape(offerID: offer.id, gpuType: offer.gpuType, gpuCount: offer.gpuCount, labels: request.labels)
        let detail = "POST /v1/runners asked for \(count) × \(offer.id)"
        log("provisioning: provider \(name): provision \(count) × \(offer.id) (request)")
        let created: [FleetingInstance]
        do {
            created = try await plugin.provision(count: count, shape: shape)
        } catch {
            let message = Self.describe(error, of: name)
            let code = (error as? CoreError)?.code ?? .pluginUnavailable
            log("provisioning: provider \(name) failed to provision on request (\(code)): \(message)")
            alert(
                .error, source: name, "Provider \(name) failed to provision: \(message)",
                details: ["provider": .string(name), "code": .string(code.rawValue)])
            await reconcile(index)
            throw ServerError(
                .resourceUnavailable, status: code == .pluginRejected ? 409 : 503, "Provider \(name) could not provision: \(message)",
                details: ["provider": .string(name), "plugin_code": .string(code.rawValue)])
        }
        let runners = await record(created, provider: index, shape: shape, reason: "request", detail: detail)
        trigger.signal()
        return runners
    }

    /// Removes a runner a provider created: drains it and deprovisions its instance. Nil when the runner is not one
    /// of a provider's (the caller deletes it as any other). With running jobs and without `force` the runner drains
    /// and its instance goes once they finish; with `force` its jobs are re-queued at once.
    func removeRunner(_ id: String, force: Bool) async throws(ServerError) -> ActionResult? {
        await acquire()
        defer { release() }
        guard let record = records.values.first(where: { $0.runnerID == id }) else { return nil }
        guard !isStopped else { throw Self.stopping }
        let snapshot = await fleet.demandSnapshot(includingQueue: false)
        let busy = snapshot.runners.first { $0.runner.id == id }?.busySlots ?? 0
        let detail = "DELETE /v1/runners/\(id)\(force ? "?force=true" : "")"
        await beginRemoval(record.key, reason: "request", detail: detail, force: force)
        if busy > 0 && !force {
            return ActionResult(
                success: true,
                message:
                    "Runner '\(id)' is draining; instance \(record.instance.id) of provider \(record.provider) is deprovisioned once its \(busy) job(s) finish",
                status: "draining")
        }
        await finishRemovals(runners: Self.runnersByID(await fleet.demandSnapshot(includingQueue: false)))
        guard records[record.key] == nil else {
            return ActionResult(
                success: true,
                message:
                    "Runner '\(id)' is stopped; deprovisioning instance \(record.instance.id) of provider \(record.provider) failed and is retried",
                status: "deprovisioning")
        }
        return ActionResult(
            success: true, message: "Runner '\(id)' deleted; instance \(record.instance.id) of provider \(record.provider) deprovisioned",
            status: "deleted")
    }

    static var stopping: ServerError {
        ServerError(.serviceUnavailable, status: 503, "The server is shutting down; provisioning has stopped")
    }
}
