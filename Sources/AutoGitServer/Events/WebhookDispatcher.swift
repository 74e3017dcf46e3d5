import AutoGitCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one webhook request; the dispatcher's only contact with the network, so tests can swap it.
public protocol WebhookSender: Sendable {
    /// POSTs `body` to `url` with `headers`; returns the HTTP status, or throws on a transport failure or timeout.
    func post(_ body: [UInt8], to url: URL, headers: [String: String], timeout: Double) async throws -> Int
}

/// The webhook sender over URLSession.
public struct URLSessionWebhookSender: WebhookSender {
    public init() {}

    public func post(_ body: [UInt8], to url: URL, headers: [String: String], timeout: Double) async throws -> Int {
        var request = URLRequest(url: url, timeoutInterval: max(1, timeout.rounded(.up)))
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let prepared = request
        // URLRequest's timeout is whole seconds and an idle timeout; enforce the real deadline here.
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                let (_, response) = try await URLSession.shared.data(for: prepared)
                return (response as? HTTPURLResponse)?.statusCode ?? 0
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                throw URLError(.timedOut)
            }
            defer { group.cancelAll() }
            return try await group.next() ?? 0
        }
    }
}

/// Webhook subscriptions and their deliveries, from a durable outbox.
///
/// Each event a webhook wants becomes a delivery record committed to the store before it is sent, so deliveries
/// pending at a crash are sent after the restart. A delivery is retried with exponential backoff
/// (`initial_backoff_seconds`, doubling, capped at `max_backoff_seconds`) until a 2xx answer or `max_attempts`.
/// The last ``deliveriesKept`` deliveries of each webhook are kept as its delivery log.
///
/// The window between an event and its delivery's commit is not covered: a crash in those milliseconds loses
/// that delivery (the event itself is not durable either).
public actor WebhookDispatcher {
    static let webhookCollection = "webhooks"
    static let deliveryCollection = "webhook-deliveries"
    static let bodyCollection = "webhook-bodies"
    public static let deliveriesKept = 100

    private let store: DurableStore
    private let sender: any WebhookSender
    private let now: @Sendable () -> Date
    private var settings: ServerConfiguration.Webhooks
    private var webhooks: [String: Webhook] = [:]
    private var deliveries: [String: WebhookDelivery] = [:]
    private var bodies: [String: [UInt8]] = [:]
    private var wakeup: CheckedContinuation<Void, Never>?
    private var inFlight: Set<String> = []

    public init(
        store: DurableStore, settings: ServerConfiguration.Webhooks, sender: any WebhookSender = URLSessionWebhookSender(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.settings = settings
        self.sender = sender
        self.now = now
        webhooks = store.decodedValues(in: Self.webhookCollection, as: Webhook.self)
        deliveries = store.decodedValues(in: Self.deliveryCollection, as: WebhookDelivery.self)
        bodies = store.values(in: Self.bodyCollection)
    }

    public func update(settings: ServerConfiguration.Webhooks) {
        self.settings = settings
    }

    // MARK: Subscriptions

    public func create(_ request: WebhookCreateRequest) async throws(ServerError) -> Webhook {
        try Self.validate(url: request.url, events: request.events, secret: request.secret)
        let secret = request.secret ?? Self.newSecret()
        let webhook = Webhook(
            id: Fleet.newID("whk-"), url: request.url, events: request.events, description: request.description,
            active: request.active ?? true, secret: secret, createdAt: now())
        webhooks[webhook.id] = webhook
        guard let change = try? change(webhook) else { throw .storeUnavailable("cannot encode webhook \(webhook.id)") }
        try await commit([change])
        return webhook
    }

    /// Changes the fields `request` sets. Every attempt from now on, of deliveries still pending too, goes to the
    /// new URL signed with the new secret. The answer carries the secret only when `rotate_secret` generated it.
    public func update(_ id: String, _ request: WebhookUpdateRequest) async throws(ServerError) -> Webhook {
        guard var webhook = webhooks[id] else {
            throw Self.notFound(id)
        }
        if request.secret != nil, request.rotateSecret == true {
            throw ServerError(
                .validationFailed, status: 422, "secret: give a secret or rotate_secret, not both", details: ["field": "secret"])
        }
        try Self.validate(url: request.url ?? webhook.url, events: request.events ?? [], secret: request.secret)
        if let url = request.url { webhook.url = url }
        if let events = request.events { webhook.events = events }
        if let description = request.description { webhook.description = description.isEmpty ? nil : description }
        if let active = request.active { webhook.active = active }
        let rotated = request.rotateSecret == true ? Self.newSecret() : nil
        if let secret = request.secret ?? rotated { webhook.secret = secret }
        webhook.updatedAt = now()
        webhooks[id] = webhook
        guard let change = try? change(webhook) else { throw .storeUnavailable("cannot encode webhook \(id)") }
        try await commit([change])
        var shown = webhook
        shown.secret = rotated
        return shown
    }

    private static func validate(url text: String, events: [EventType], secret: String?) throws(ServerError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else {
            throw ServerError(.validationFailed, status: 422, "url: must be an absolute http or https URL", details: ["field": "url"])
        }
        for (index, type) in events.enumerated() {
            if case .unknown(let value) = type {
                throw ServerError(
                    .validationFailed, status: 422, "events[\(index)]: '\(value)' is not a known event type",
                    details: ["field": .string("events[\(index)]")])
            }
        }
        if let secret, secret.count < 16 {
            throw ServerError(
                .validationFailed, status: 422, "secret: must be at least 16 characters", details: ["field": "secret"])
        }
    }

    private static func notFound(_ id: String) -> ServerError {
        ServerError(.webhookNotFound, status: 404, "Webhook '\(id)' not found", details: ["webhook_id": .string(id)])
    }

    private static func newSecret() -> String {
        "whsec_" + Base64URL.encode(SecureRandom.bytes(count: 24))
    }

    public func webhook(_ id: String) throws(ServerError) -> Webhook {
        guard var webhook = webhooks[id] else {
            throw Self.notFound(id)
        }
        webhook.secret = nil
        return webhook
    }

    public func list(limit: Int, offset: Int) -> Page<Webhook> {
        let all = webhooks.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map { webhook in
            var shown = webhook
            shown.secret = nil
            return shown
        }
        return Page(slicing: all, limit: limit, offset: offset)
    }

    public func delete(_ id: String) async throws(ServerError) {
        _ = try webhook(id)
        webhooks[id] = nil
        var changes: [StoreChange] = [.delete(Self.webhookCollection, id)]
        for delivery in deliveries.values where delivery.webhookID == id {
            deliveries[delivery.id] = nil
            bodies[delivery.id] = nil
            changes += [.delete(Self.deliveryCollection, delivery.id), .delete(Self.bodyCollection, delivery.id)]
        }
        try await commit(changes)
    }

    /// The delivery log of a webhook, newest first, of one `status` when given.
    public func deliveries(
        of id: String, status: WebhookDelivery.Status? = nil, limit: Int, offset: Int
    ) throws(ServerError) -> Page<WebhookDelivery> {
        _ = try webhook(id)
        let log = deliveries.values.filter { $0.webhookID == id && (status == nil || $0.status == status) }.sorted {
            ($0.createdAt, $0.id) > ($1.createdAt, $1.id)
        }
        return Page(slicing: log, limit: limit, offset: offset)
    }

    // MARK: Delivering

    /// Queues a delivery of `event` to every webhook that wants it.
    public func enqueue(_ event: Event) async {
        let targets = webhooks.values.filter { $0.wants(event.type) }
        guard !targets.isEmpty, let body = try? Array(AutoGitJSON.encode(event)) else { return }
        var changes: [StoreChange] = []
        for webhook in targets {
            let delivery = WebhookDelivery(
                id: Fleet.newID("dlv-"), webhookID: webhook.id, eventID: event.id, eventType: event.type,
                nextAttemptAt: now(), createdAt: now())
            deliveries[delivery.id] = delivery
            bodies[delivery.id] = body
            changes.append(.put(Self.bodyCollection, delivery.id, bytes: body))
            if let change = try? change(delivery) { changes.append(change) }
            changes += prune(webhook.id)
        }
        try? await commit(changes)
        wake()
    }

    /// Delivers what is due until cancelled: consumes `events` into the outbox and sends due deliveries.
    public func run(events: AsyncStream<Event>) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in events { await self.enqueue(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    let delay = await self.deliverDue()
                    await self.sleep(upTo: delay)
                }
            }
        }
    }

    /// Sends every delivery that is due; returns seconds until the next one is (at most 1).
    func deliverDue() async -> Double {
        let current = now()
        let due = deliveries.values.filter {
            $0.status == .pending && ($0.nextAttemptAt ?? current) <= current && !inFlight.contains($0.id)
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in due.sorted(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }).prefix(64) {
                inFlight.insert(delivery.id)
                group.addTask { await self.attempt(delivery.id) }
            }
        }
        let next = deliveries.values.filter { $0.status == .pending }.compactMap(\.nextAttemptAt).min()
        return min(1, max(0.01, next.map { $0.timeIntervalSince(now()) } ?? 1))
    }

    private func attempt(_ id: String) async {
        defer { inFlight.remove(id) }
        guard var delivery = deliveries[id], let body = bodies[id], let webhook = webhooks[delivery.webhookID],
            let secret = webhook.secret, let url = URL(string: webhook.url)
        else { return }
        let headers = [
            "Content-Type": "application/json",
            "User-Agent": "AutoGit-Webhook/\(ServerVersion.current)",
            "X-AutoGit-Event": delivery.eventType.rawValue,
            "X-AutoGit-Delivery": delivery.id,
            WebhookSignature.bodySignatureHeaderName: WebhookSignature.bodySignature(body, secret: secret),
            WebhookSignature.headerName: WebhookSignature.sign(body, secret: secret, at: now()),
        ]
        delivery.attempts += 1
        do {
            let status = try await sender.post(body, to: url, headers: headers, timeout: settings.timeoutSeconds)
            delivery.responseStatus = status
            delivery.lastError = (200..<300).contains(status) ? nil : "the receiver answered \(status)"
        } catch {
            delivery.responseStatus = nil
            delivery.lastError = "\(error)"
        }
        if delivery.lastError == nil {
            delivery.status = .succeeded
            delivery.deliveredAt = now()
            delivery.nextAttemptAt = nil
        } else if delivery.attempts >= settings.maxAttempts {
            delivery.status = .failed
            delivery.nextAttemptAt = nil
        } else {
            let backoff = min(settings.maxBackoffSeconds, settings.initialBackoffSeconds * pow(2, Double(delivery.attempts - 1)))
            delivery.nextAttemptAt = now().addingTimeInterval(backoff)
        }
        // The delivery may have been deleted with its webhook while the request was out.
        guard deliveries[id] != nil else { return }
        deliveries[id] = delivery
        var changes: [StoreChange] = []
        if let change = try? change(delivery) { changes.append(change) }
        if delivery.status != .pending {
            bodies[id] = nil
            changes.append(.delete(Self.bodyCollection, id))
        }
        try? await commit(changes)
    }

    /// Drops the oldest finished deliveries of a webhook beyond ``deliveriesKept``.
    private func prune(_ webhookID: String) -> [StoreChange] {
        let log = deliveries.values.filter { $0.webhookID == webhookID }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        guard log.count > Self.deliveriesKept else { return [] }
        var changes: [StoreChange] = []
        for old in log.dropFirst(Self.deliveriesKept) where old.status != .pending {
            deliveries[old.id] = nil
            bodies[old.id] = nil
            changes += [.delete(Self.deliveryCollection, old.id), .delete(Self.bodyCollection, old.id)]
        }
        return changes
    }

    private func sleep(upTo seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            wakeup?.resume()
            wakeup = continuation
            Task {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                self.wake()
            }
        }
    }

    private func wake() {
        wakeup?.resume()
        wakeup = nil
    }

    private func change(_ webhook: Webhook) throws -> StoreChange {
        try StoreChange.put(Self.webhookCollection, webhook.id, webhook)
    }

    private func change(_ delivery: WebhookDelivery) throws -> StoreChange {
        try StoreChange.put(Self.deliveryCollection, delivery.id, delivery)
    }

    private func commit(_ changes: [StoreChange]) async throws(ServerError) {
        try await store.commit(changes)
    }
}
