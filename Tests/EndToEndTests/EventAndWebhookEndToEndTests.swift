import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The events and webhooks groups through the SDK: the SSE stream with type filters and resumption, and signed
/// deliveries received by a real HTTP receiver.
@Suite("SDK end to end: events and webhooks", .timeLimit(.minutes(2)))
struct EventAndWebhookEndToEndTests {
    @Test("the event stream replays what a client missed after Last-Event-ID, then delivers live events of the chosen types")
    func eventStream() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            _ = try await server.registerAgent("noise")
            let earlier = try await admin.jobs.submit(JobSpec(name: "first", steps: [JobStep(name: "s", run: "true")]))
            _ = try await admin.jobs.cancel(earlier.id)
            // "0" is before every event id: everything still buffered is replayed, then the stream goes live.
            let stream = admin.events.stream(types: [.jobStatusChanged], lastEventID: "0")
            var iterator = stream.makeAsyncIterator()
            let queued = try #require(try await iterator.next())
            let cancelled = try #require(try await iterator.next())
            #expect(queued.type == .jobStatusChanged && queued.payload["new_status"]?.stringValue == "queued")
            #expect(cancelled.payload["new_status"]?.stringValue == "cancelled" && cancelled.payload["job_id"]?.stringValue == earlier.id)
            #expect(Int(cancelled.id) ?? 0 > Int(queued.id) ?? 0)
            let second = try await admin.jobs.submit(JobSpec(name: "second", steps: [JobStep(name: "s", run: "true")]))
            let live = try #require(try await iterator.next())
            #expect(live.payload["job_id"]?.stringValue == second.id, "runner events were filtered out")
            // Resuming after the cancel event replays only what came later.
            let resumed = try await first(1, of: admin.events.stream(types: [.jobStatusChanged], lastEventID: cancelled.id))
            #expect(resumed.map(\.id) == [live.id])
        }
    }

    /// The server's count of event subscribers, from `/metrics`.
    func subscribers(_ server: EmbeddedServer) async throws -> Int {
        let text = try await server.admin.system.prometheusMetrics()
        let line = text.split(separator: "\n").first { $0.hasPrefix("autogit_event_subscribers ") }
        return Int(line?.split(separator: " ").last ?? "") ?? -1
    }

    /// Polls `condition` until it holds, up to about ten seconds.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("cancelling the task that reads an event stream closes the connection and the server drops the subscription")
    func cancelledStreamIsReleased() async throws {
        try await withEmbeddedServer { server in
            let baseline = try await subscribers(server)
            let stream = server.admin.events.stream()
            let reader = Task {
                for try await _ in stream {}
            }
            #expect(try await eventually { try await subscribers(server) == baseline + 1 })
            reader.cancel()
            _ = await reader.result
            #expect(try await eventually { try await subscribers(server) == baseline }, "the server saw the client go")
        }
    }

    @Test("job log lines are published as job_log events")
    func jobLogEvents() async throws {
        try await withEmbeddedServer { server in
            let (runner, agent) = try await server.registerAgent("logger")
            let job = try await server.admin.jobs.submit(JobSpec(name: "talk", steps: [JobStep(name: "s", run: "echo")]))
            _ = try await agent.runners.requestJob(runner.id, wait: 5)
            _ = try await agent.jobs.appendLogs(job.id, [LogEntry(sequence: 1, timestamp: Date(), message: "hello")])
            let events = try await first(1, of: server.admin.events.stream(types: [.jobLog], lastEventID: "0"))
            #expect(events.first?.payload["message"]?.stringValue == "hello" && events.first?.payload["job_id"]?.stringValue == job.id)
        }
    }

    @Test("a webhook receives signed deliveries that verify, a failed delivery is retried with the same id, and the log shows it")
    func webhookDeliveries() async throws {
        let receiver = WebhookReceiver(statuses: [500])
        try await receiver.start()
        var configuration = EmbeddedServer.testConfiguration
        configuration.webhooks = .init(maxAttempts: 5, initialBackoffSeconds: 0.1, maxBackoffSeconds: 0.5, timeoutSeconds: 5)
        do {
            try await withEmbeddedServer(configuration: configuration) { server in
                let admin = server.admin
                let secret = "whsec_test-secret-0123456789"
                let webhook = try await admin.webhooks.create(
                    WebhookCreateRequest(url: receiver.url, events: [.jobStatusChanged], description: "test", secret: secret))
                #expect(webhook.secret == secret)
                #expect(try await admin.webhooks.get(webhook.id).secret == nil)
                #expect(try await admin.webhooks.list().collect().map(\.id) == [webhook.id])
                let job = try await admin.jobs.submit(JobSpec(name: "hooked", steps: [JobStep(name: "s", run: "true")]))

                let arrivals = try await first(2, of: receiver.stream)
                #expect(arrivals[0].headers["x-autogit-delivery"] == arrivals[1].headers["x-autogit-delivery"], "a retry keeps its id")
                let delivery = arrivals[1]
                #expect(delivery.headers["x-autogit-event"] == "job_status_changed")
                #expect(delivery.headers["user-agent"]?.hasPrefix("AutoGit-Webhook/") == true)
                // The SDK's verifier and the core signature code both accept it.
                let event = try WebhookVerifier(secret: secret).verify(headers: delivery.headers, body: Data(delivery.body))
                #expect(event.payload["job_id"]?.stringValue == job.id && event.payload["new_status"]?.stringValue == "queued")
                try WebhookSignature.verify(delivery.headers["x-autogit-timestamped-signature"], body: delivery.body, secret: secret)
                try WebhookSignature.verifyBodySignature(delivery.headers["x-autogit-signature"], body: delivery.body, secret: secret)
                #expect(throws: (any Error).self) {
                    try WebhookSignature.verify(
                        delivery.headers["x-autogit-timestamped-signature"], body: delivery.body, secret: "wrong-secret-000000")
                }

                var log: [WebhookDelivery] = []
                for _ in 0..<100 {
                    log = try await admin.webhooks.deliveries(of: webhook.id).collect()
                    if log.first?.status == .succeeded { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(log.count == 1 && log.first?.status == .succeeded && log.first?.attempts == 2 && log.first?.responseStatus == 200)
                #expect(try await admin.webhooks.deliveries(of: webhook.id, status: .failed).collect().isEmpty)

                // Paused, nothing is delivered; rotated and on again, deliveries are signed with the new secret only.
                let paused = try await admin.webhooks.update(webhook.id, WebhookUpdateRequest(active: false))
                #expect(!paused.active && paused.secret == nil && paused.updatedAt != nil)
                let quiet = try await admin.jobs.submit(JobSpec(name: "unheard", steps: [JobStep(name: "s", run: "true")]))
                let rotated = try await admin.webhooks.update(
                    webhook.id, WebhookUpdateRequest(events: [.jobStatusChanged], description: "rotated", active: true, rotateSecret: true))
                let newSecret = try #require(rotated.secret)
                #expect(newSecret != secret && rotated.active && rotated.description == "rotated")
                let heard = try await admin.jobs.submit(JobSpec(name: "heard", steps: [JobStep(name: "s", run: "true")]))
                let next = try await first(1, of: receiver.stream)[0]
                let nextEvent = try WebhookVerifier(secret: newSecret).verify(headers: next.headers, body: Data(next.body))
                #expect(nextEvent.payload["job_id"]?.stringValue == heard.id, "not \(quiet.id), sent while paused")
                #expect(throws: (any Error).self) {
                    try WebhookVerifier(secret: secret).verify(headers: next.headers, body: Data(next.body))
                }
                await #expect {
                    _ = try await admin.webhooks.update(webhook.id, WebhookUpdateRequest(url: "ftp://example.com"))
                } throws: { error in (error as? AutoGitError)?.details?["field"] == "url" }
                await #expect {
                    _ = try await admin.webhooks.update("whk-missing", WebhookUpdateRequest(active: true))
                } throws: { error in (error as? AutoGitError)?.code == .webhookNotFound }

                try await admin.webhooks.delete(webhook.id)
                await #expect {
                    _ = try await admin.webhooks.get(webhook.id)
                } throws: { error in (error as? AutoGitError)?.code == .webhookNotFound }
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }
}
