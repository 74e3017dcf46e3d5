import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitServer

/// Records requests and answers with scripted statuses (then 200).
final class ScriptedSender: WebhookSender {
    struct Request: Sendable {
        var body: [UInt8]
        var url: URL
        var headers: [String: String]
    }

    private let state: Mutex<(statuses: [Int], requests: [Request])>

    init(statuses: [Int] = []) { state = Mutex((statuses, [])) }

    var requests: [Request] { state.withLock { $0.requests } }

    func post(_ body: [UInt8], to url: URL, headers: [String: String], timeout: Double) async throws -> Int {
        state.withLock { state in
            state.requests.append(Request(body: body, url: url, headers: headers))
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
    }
}

@Suite("Webhook dispatcher")
struct WebhookDispatcherTests {
    let directory = TemporaryDirectory()
    let clock = TestClock()

    func event(_ id: String = "1", type: EventType = .jobStatusChanged) -> Event {
        Event(id: id, type: type, payload: ["job_id": "job-1", "new_status": "succeeded"], timestamp: clock.now)
    }

    @Test("a delivery carries both signatures, which verify against the body")
    func signedDelivery() async throws {
        let sender = ScriptedSender()
        let clock = self.clock
        let dispatcher = WebhookDispatcher(
            store: try DurableStore(directory: directory.path), settings: .init(), sender: sender, now: { clock.now })
        let webhook = try await dispatcher.create(WebhookCreateRequest(url: "http://127.0.0.1:9/hook", events: [.jobStatusChanged]))
        let secret = try #require(webhook.secret)
        await dispatcher.enqueue(event(type: .runnerStatusChanged))  // not wanted
        await dispatcher.enqueue(event())
        _ = await dispatcher.deliverDue()
        let request = try #require(sender.requests.first)
        #expect(sender.requests.count == 1)
        #expect(request.headers["X-AutoGit-Event"] == "job_status_changed")
        try WebhookSignature.verifyBodySignature(request.headers["X-AutoGit-Signature"], body: request.body, secret: secret)
        try WebhookSignature.verify(
            request.headers["X-AutoGit-Timestamped-Signature"], body: request.body, secret: secret, now: clock.now)
        let decoded = try AutoGitJSON.decoder().decode(Event.self, from: Data(request.body))
        #expect(decoded.type == .jobStatusChanged)
        let log = try await dispatcher.deliveries(of: webhook.id, limit: 10, offset: 0)
        #expect(log.items.map(\.status) == [.succeeded])
        #expect(try await dispatcher.webhook(webhook.id).secret == nil)
    }

    @Test("failures are retried with exponential backoff until max_attempts")
    func retries() async throws {
        let sender = ScriptedSender(statuses: [500, 503, 502])
        let clock = self.clock
        var settings = ServerConfiguration.Webhooks()
        settings.maxAttempts = 3
        settings.initialBackoffSeconds = 2
        let dispatcher = WebhookDispatcher(
            store: try DurableStore(directory: directory.path), settings: settings, sender: sender, now: { clock.now })
        let webhook = try await dispatcher.create(WebhookCreateRequest(url: "http://127.0.0.1:9/hook"))
        await dispatcher.enqueue(event())
        _ = await dispatcher.deliverDue()
        clock.advance(1)
        _ = await dispatcher.deliverDue()
        #expect(sender.requests.count == 1)  // the first backoff is 2 s
        clock.advance(1.5)
        _ = await dispatcher.deliverDue()
        #expect(sender.requests.count == 2)
        clock.advance(4.5)  // the second backoff is 4 s
        _ = await dispatcher.deliverDue()
        #expect(sender.requests.count == 3)
        let delivery = try #require(try await dispatcher.deliveries(of: webhook.id, limit: 1, offset: 0).items.first)
        #expect(delivery.status == .failed && delivery.attempts == 3 && delivery.responseStatus == 502)
        #expect(Set(sender.requests.map { $0.headers["X-AutoGit-Delivery"] }).count == 1)
    }

    @Test("a pending delivery survives a restart and is sent afterwards")
    func outboxSurvivesRestart() async throws {
        let clock = self.clock
        do {
            let store = try DurableStore(directory: directory.path)
            let dispatcher = WebhookDispatcher(store: store, settings: .init(), sender: ScriptedSender(), now: { clock.now })
            _ = try await dispatcher.create(WebhookCreateRequest(url: "https://example.invalid/hook"))
            await dispatcher.enqueue(event())
            await store.close()
        }
        let sender = ScriptedSender()
        let dispatcher = WebhookDispatcher(
            store: try DurableStore(directory: directory.path), settings: .init(), sender: sender, now: { clock.now })
        _ = await dispatcher.deliverDue()
        #expect(sender.requests.count == 1)
    }

    @Test("bad subscriptions are refused with 422 naming the field")
    func validation() async throws {
        let dispatcher = WebhookDispatcher(store: try DurableStore(directory: directory.path), settings: .init(), sender: ScriptedSender())
        for (request, field) in [
            (WebhookCreateRequest(url: "ftp://x/y"), "url"), (WebhookCreateRequest(url: "not a url"), "url"),
            (WebhookCreateRequest(url: "http://h/", events: [.unknown("nope")]), "events[0]"),
            (WebhookCreateRequest(url: "http://h/", secret: "short"), "secret"),
        ] {
            await #expect {
                _ = try await dispatcher.create(request)
            } throws: { error in
                (error as? ServerError)?.details?["field"] == .string(field)
            }
        }
    }
}
