import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("PageSequence (in process)")
struct PageSequenceTests {
    @Test("nothing is requested until iteration, and the offset advances by the items received")
    func lazyOffsets() async throws {
        let transport = RecordingTransport { request, _ in
            let offset = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "offset" }?.value
            switch offset {
            case "0": return jsonResponse(200, Fixture.page(Fixture.job, Fixture.job, Fixture.job, hasMore: true))
            // A server may return fewer than asked: the next offset follows what arrived.
            case "3": return jsonResponse(200, Fixture.page(Fixture.job, hasMore: true))
            default: return jsonResponse(200, Fixture.page(Fixture.job))
            }
        }
        let jobs = makeClient(transport).jobs.list(status: [.queued], pageSize: 3)
        #expect(transport.count == 0)
        #expect(try await jobs.collect().count == 5)
        #expect(
            transport.requests.map(\.target) == [
                "/v1/jobs?status=queued&limit=3&offset=0", "/v1/jobs?status=queued&limit=3&offset=3",
                "/v1/jobs?status=queued&limit=3&offset=4",
            ])
    }

    @Test("an empty page ends the list even when the server claims more")
    func emptyPageEnds() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.page(hasMore: true)) }
        #expect(try await makeClient(transport).webhooks.list().collect().isEmpty)
        #expect(transport.count == 1)
    }

    @Test("an error on a later page ends the iteration with that error")
    func errorOnLaterPage() async throws {
        let transport = RecordingTransport { _, index in
            index == 0 ? jsonResponse(200, Fixture.page(Fixture.runner, hasMore: true)) : HTTPResponseData(status: 404)
        }
        var seen = 0
        await #expect(throws: AutoGitError.self) {
            for try await _ in makeClient(transport).runners.list(pageSize: 1) { seen += 1 }
        }
        #expect(seen == 1)
    }

    @Test(
        "every list call walks its pages the same way",
        arguments: ["tokens", "gpus", "available", "instances", "projects", "runs", "artifacts", "versions", "deliveries", "runner jobs"])
    func everyListPaginates(_ name: String) async throws {
        let transport = RecordingTransport { _, index in
            jsonResponse(200, index == 0 ? #"{"items":[],"total_count":0,"has_more":false}"# : "{}")
        }
        let client = makeClient(transport)
        switch name {
        case "tokens": _ = try await client.tokens.list(pageSize: 7).collect()
        case "gpus": _ = try await client.gpus.list(pageSize: 7).collect()
        case "available": _ = try await client.gpus.available(pageSize: 7).collect()
        case "instances": _ = try await client.instances.list(pageSize: 7).collect()
        case "projects": _ = try await client.experiments.projects(pageSize: 7).collect()
        case "runs": _ = try await client.experiments.runs(pageSize: 7).collect()
        case "artifacts": _ = try await client.experiments.artifacts(pageSize: 7).collect()
        case "versions": _ = try await client.experiments.versions(of: "m", pageSize: 7).collect()
        case "deliveries": _ = try await client.webhooks.deliveries(of: "w", pageSize: 7).collect()
        default: _ = try await client.runners.jobs(of: "r", pageSize: 7).collect()
        }
        #expect(transport.count == 1)
        #expect(transport.requests.first?.target.hasSuffix("limit=7&offset=0") == true)
        #expect(OpenAPIContract.shared.problems(with: transport.requests[0]) == [])
    }
}
