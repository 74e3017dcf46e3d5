import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("Retries, backoff and timeouts (in process)")
struct RetryTests {
    static let unavailable = #"{"error":{"code":"SERVICE_UNAVAILABLE","message":"Starting up"}}"#

    @Test("a GET answered 503 is retried with growing backoff until it succeeds")
    func getRetriedOn503() async throws {
        let transport = RecordingTransport { _, index in
            index < 2 ? jsonResponse(503, Self.unavailable) : jsonResponse(200, Fixture.runner)
        }
        let sleeper = SleepRecorder()
        let runner = try await makeClient(transport, sleeper: sleeper).runners.get("r1")
        #expect(runner.id == "r1")
        #expect(transport.count == 3)
        let waits = sleeper.recorded
        #expect(waits.count == 2)
        // 250 ms then 500 ms by default, each with jitter down to half.
        #expect(waits[0] >= .milliseconds(125) && waits[0] <= .milliseconds(250))
        #expect(waits[1] >= .milliseconds(250) && waits[1] <= .milliseconds(500))
    }

    @Test("after the last attempt the last error is thrown")
    func attemptsAreBounded() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(503, Self.unavailable) }
        let client = makeClient(transport, sleeper: SleepRecorder()) { $0.retry.maxAttempts = 4 }
        await #expect(throws: AutoGitError.self) { _ = try await client.runners.get("r1") }
        #expect(transport.count == 4)
    }

    @Test("a 429 waits exactly the Retry-After the server asked for")
    func retryAfterIsHonoured() async throws {
        let transport = RecordingTransport { _, index in
            index == 0
                ? jsonResponse(429, #"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"}}"#, headers: ["Retry-After": "2"])
                : jsonResponse(200, Fixture.runner)
        }
        let sleeper = SleepRecorder()
        _ = try await makeClient(transport, sleeper: sleeper).runners.get("r1")
        #expect(sleeper.recorded == [.seconds(2)])
        #expect(transport.count == 2)
    }

    @Test("a Retry-After longer than the policy allows is not waited for: the error carries it")
    func longRetryAfterIsThrown() async throws {
        let transport = RecordingTransport { _, _ in HTTPResponseData(status: 429, headers: ["Retry-After": "3600"]) }
        let sleeper = SleepRecorder()
        do {
            _ = try await makeClient(transport, sleeper: sleeper).runners.get("r1")
            Issue.record("no error")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(error.retryAfter == .seconds(3600))
        }
        #expect(sleeper.recorded.isEmpty)
        #expect(transport.count == 1)
    }

    @Test("a POST that creates something is not retried unless the client is told to")
    func postNotRetried() async throws {
        let transport = RecordingTransport { _, index in index < 2 ? jsonResponse(503, Self.unavailable) : jsonResponse(201, Fixture.job) }
        let spec = JobSpec(name: "j", steps: [JobStep(name: "s", run: "true")])
        let client = makeClient(transport, sleeper: SleepRecorder())
        await #expect(throws: AutoGitError.self) { _ = try await client.jobs.submit(spec) }
        #expect(transport.count == 1)
        let job = try await client.with { $0.retry.mode = .always }.jobs.submit(spec)
        #expect(job.id == "j1")
        #expect(transport.count == 3)
    }

    @Test("POST and PATCH calls the API declares safe to repeat are retried: heartbeat, job report, log upload")
    func idempotentWritesRetried() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(503, Self.unavailable) }
        let client = makeClient(transport, sleeper: SleepRecorder()) { $0.retry.maxAttempts = 2 }
        _ = try? await client.runners.heartbeat("r1", Heartbeat())
        _ = try? await client.jobs.update("j1", JobUpdate(status: .running))
        _ = try? await client.jobs.appendLogs("j1", [LogEntry(sequence: 1, timestamp: Date(), message: "x")])
        _ = try? await client.runners.requestJob("r1", wait: 0)
        _ = try? await client.jobs.cancel("j1")
        #expect(transport.requests.map(\.target).filter { $0.hasSuffix("/heartbeat") }.count == 2)
        #expect(transport.requests.filter { $0.method == "PATCH" }.count == 2)
        #expect(transport.requests.filter { $0.method == "POST" && $0.target == "/v1/jobs/j1/logs" }.count == 2)
        // The long poll and cancel are not: a lost answer might have carried a job, a cancel is not repeated blindly.
        #expect(transport.requests.filter { $0.target.contains("/jobs/request") }.count == 1)
        #expect(transport.requests.filter { $0.target.hasSuffix("/cancel") }.count == 1)
    }

    @Test("statuses outside the retryable set are not retried")
    func notRetryableStatus() async throws {
        for status in [400, 401, 404, 409, 422, 500] {
            let transport = RecordingTransport { _, _ in HTTPResponseData(status: status) }
            await #expect(throws: AutoGitError.self) { _ = try await makeClient(transport, sleeper: SleepRecorder()).runners.get("r1") }
            #expect(transport.count == 1, "status \(status)")
        }
    }

    @Test("a lost connection, before or during the answer, is retried for a GET; a request the transport cannot make is not")
    func transportFailures() async throws {
        let lost = RecordingTransport { _, index in
            if index == 0 { throw URLError(.networkConnectionLost) }
            return jsonResponse(200, Fixture.runner)
        }
        _ = try await makeClient(lost, sleeper: SleepRecorder()).runners.get("r1")
        #expect(lost.count == 2)
        let truncated = RecordingTransport { _, index in
            index == 0 ? eventStreamResponse([#"{"id":"r1","#], failing: URLError(.unknown)) : jsonResponse(200, Fixture.runner)
        }
        _ = try await makeClient(truncated, sleeper: SleepRecorder()).runners.get("r1")
        #expect(truncated.count == 2, "a body cut short is a lost connection, retried")
        let bad = RecordingTransport { _, _ in throw URLError(.unsupportedURL) }
        await #expect(throws: AutoGitError.self) { _ = try await makeClient(bad, sleeper: SleepRecorder()).runners.get("r1") }
        #expect(bad.count == 1)
    }

    @Test("retries can be turned off")
    func disabled() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(503, Self.unavailable) }
        let client = makeClient(transport, sleeper: SleepRecorder()) { $0.retry = .disabled }
        await #expect(throws: AutoGitError.self) { _ = try await client.runners.get("r1") }
        #expect(transport.count == 1)
        // Streams follow the same policy when they open.
        let streamTransport = RecordingTransport { _, _ in jsonResponse(503, Self.unavailable) }
        let never = makeClient(streamTransport, sleeper: SleepRecorder()) { $0.retry.mode = .never }
        await #expect(throws: AutoGitError.self) {
            for try await _ in never.events.stream() {}
        }
        #expect(streamTransport.count == 1)
    }

    @Test("a request slower than its timeout fails with TIMED_OUT and its transport call is cancelled")
    func timeout() async throws {
        let cancelled = Gate()
        let transport = RecordingTransport { _, _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.signal()
                throw error
            }
            return jsonResponse(200, Fixture.runner)
        }
        let client = makeClient(transport, sleeper: SleepRecorder()) { configuration in
            configuration.timeout = .milliseconds(200)
            configuration.retry = .disabled
        }
        do {
            _ = try await client.runners.get("r1")
            Issue.record("no timeout")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(error.code == .timedOut)
        }
        try await cancelled.wait()
        #expect(transport.requests.first?.idleTimeout == .milliseconds(200))
    }

    @Test("cancelling the caller during a backoff wait ends the call as CANCELLED without another attempt")
    func cancelledDuringBackoff() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(503, Self.unavailable) }
        let client = makeClient(transport) { $0.retry.initialBackoff = .seconds(30) }
        let task = Task { try await client.runners.get("r1") }
        while transport.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let result = await task.result
        #expect((result.failure as? AutoGitError)?.code == .cancelled)
        #expect(transport.count == 1)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
