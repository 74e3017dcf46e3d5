import AutoGitClient
import AutoGitCore
import Foundation

/// The examples of Docs/openapi.yaml (extracted into Fixtures/openapi-examples.json by the script beside it), with
/// each schema's declared properties, and the seed systems' answers kept by the core tests.
struct ContractExamples: Sendable {
    struct Schema: Decodable, Sendable {
        var properties: [String]
        var required: [String]
        var additionalProperties: Bool
        var example: JSONValue?
        /// For a page schema (`RunnerPage`), the item schema (`Runner`).
        var pageOf: String?

        enum CodingKeys: String, CodingKey {
            case properties, required, example
            case additionalProperties = "additional_properties"
            case pageOf = "page_of"
        }
    }

    private struct File: Decodable {
        var schemas: [String: Schema]
        var responses: [String: JSONValue]
    }

    var schemas: [String: Schema]
    /// Response examples by `METHOD path status media-type` (for an operation's own) or `Name media-type` (for the
    /// shared error responses).
    var responses: [String: JSONValue]

    static let shared: ContractExamples = {
        let url = repositoryRoot.appendingPathComponent("Tests/AutoGitClientTests/Fixtures/openapi-examples.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return ContractExamples(schemas: [:], responses: [:])
        }
        return ContractExamples(schemas: file.schemas, responses: file.responses)
    }()

    /// Realistic answers for the schemas the contract gives no example of, written from their declared properties.
    static let written: [String: JSONValue] = [
        "SystemStatus": [
            "version": "1.0.0", "uptime": 86400.5,
            "runners": ["total": 12, "by_status": ["idle": 8, "busy": 3, "offline": 1]],
            "jobs": ["total": 140, "queued": 3, "running": 5, "by_status": ["succeeded": 120, "failed": 12]],
            "gpus": ["total": 16, "allocated": 6, "available": 10],
            "instances": ["total": 3, "running": 2, "stopped": 1],
            "resources": ["cpu_usage": 35.2, "memory_usage": 8_589_934_592, "memory_total": 34_359_738_368, "disk_usage": 61.5],
        ],
        "RunnerStatusReport": [
            "runner_id": "runner-1", "status": "busy", "health": "healthy", "last_heartbeat": "2024-01-15T10:30:00Z",
            "current_load": ["active_jobs": 1, "queued_jobs": 0, "cpu_usage": 71.5, "memory_usage": 40.2, "disk_usage": 12.0],
            "capabilities_status": ["docker": "available", "gpu": "available"],
        ],
        "RunnerConfigurationDocument": [
            "runner_id": "runner-1", "last_updated": "2024-01-15T10:30:00Z",
            "configuration": ["max_concurrent_jobs": 2, "job_timeout": 3600, "resource_limits": ["memory_limit": "8Gi"]],
        ],
        "WebhookDelivery": [
            "id": "dlv_3f9a", "webhook_id": "wh_7d2a", "event_id": "1234", "event_type": "job_status_changed",
            "status": "failed", "attempts": 8, "response_status": 502, "last_error": "HTTP 502",
            "created_at": "2024-01-15T10:41:00Z", "next_attempt_at": "2024-01-15T10:45:00Z",
        ],
        "ServerConfiguration": [
            "server": ["host": "127.0.0.1", "port": 8080],
            "auth": ["enabled": true, "session_ttl_seconds": 86400, "users": [["username": "admin", "role": "admin"]]],
            "rate_limits": [
                "enabled": true, "authenticated_per_minute": 100, "unauthenticated_per_minute": 10, "runner_per_minute": 6000,
            ],
            "runners": ["heartbeat_interval_seconds": 10, "offline_after_seconds": 60, "default_max_concurrent_jobs": 1],
            "jobs": [
                "default_timeout_seconds": 3600, "long_poll_seconds": 30,
                "limits": ["max_timeout": 86400, "max_retry_count": 5, "max_steps": 50, "max_gpu_count": 8],
            ],
            "events": ["buffer_size": 1000],
            "webhooks": ["max_attempts": 8, "initial_backoff_seconds": 1, "max_backoff_seconds": 300, "timeout_seconds": 10],
            "instances": ["port_range_start": 8100, "port_range_end": 8199, "max_running": 4],
            "providers": [["name": "local", "type": "local", "settings": ["max_instances": 2]]],
        ],
    ]

    /// An answer of schema `name`: its example, a written one, or for a page schema a page holding the item's
    /// example.
    func body(for name: String) -> JSONValue? {
        if let example = schemas[name]?.example ?? Self.written[name] { return example }
        if let item = schemas[name]?.pageOf, let example = body(for: item) {
            return ["items": [example], "total_count": 1, "has_more": false, "limit": 50, "offset": 0]
        }
        return nil
    }

    /// The example of `name` decoded as `T` (a request model built from the contract's own example).
    func model<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let example = schemas[name]?.example else { throw MissingExample(name: name) }
        return try example.decode(as: T.self)
    }

    struct MissingExample: Error, CustomStringConvertible {
        var name: String
        var description: String { "Docs/openapi.yaml has no example of \(name)" }
    }

    /// A seed system's answer kept by the core tests (`rustci/get-runner.json`).
    static func seed(_ path: String) throws -> Data {
        try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/AutoGitCoreTests/Fixtures/seeds/\(path)"))
    }
}

extension JSONValue {
    /// The JSON text with sorted keys.
    var text: String {
        (try? AutoGitJSON.encoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// A 2xx JSON answer holding the contract's example of `schema` (or a page of it).
func exampleResponse(_ schema: String, status: Int = 200) -> HTTPResponseData {
    jsonResponse(status, ContractExamples.shared.body(for: schema)?.text ?? "{}")
}
