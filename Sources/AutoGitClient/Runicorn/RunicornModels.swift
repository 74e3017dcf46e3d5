import AutoGitCore
import Foundation

/// `GET /api/health` of a Runicorn viewer: `{"status": "ok", "version": "0.7.2", "storage": "/path", …}`.
enum RunicornHealth {
    /// Whether `body` is Runicorn's health answer (a status and its storage or version, and no AutoGit server name).
    static func matches(_ body: Data) -> Bool {
        guard let value = try? AutoGitJSON.decode(JSONValue.self, from: body), case .object(let object) = value else { return false }
        guard object["status"]?.stringValue != nil, object["server"] == nil else { return false }
        return object["storage"] != nil || object["storage_backend"] != nil || object["version"] != nil
    }
}

/// One run in `GET /api/runs` (and, with fewer fields, `GET /api/recycle-bin`'s `deleted_runs`).
struct RunicornRunSummary: Decodable, Sendable {
    var id: String
    var status: String?
    var originalStatus: String?
    var path: String?
    var alias: String?
    var tags: [String]?
    var createdTime: Double?
    var deletedAt: Double?
    var bestMetricValue: Double?
    var bestMetricName: String?

    enum CodingKeys: String, CodingKey {
        case id, status, path, alias, tags
        case originalStatus = "original_status"
        case createdTime = "created_time"
        case deletedAt = "deleted_at"
        case bestMetricValue = "best_metric_value"
        case bestMetricName = "best_metric_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        originalStatus = try? container.decodeIfPresent(String.self, forKey: .originalStatus)
        path = try? container.decodeIfPresent(String.self, forKey: .path)
        alias = try? container.decodeIfPresent(String.self, forKey: .alias)
        tags = try? container.decodeIfPresent([String].self, forKey: .tags)
        createdTime = try? container.decodeIfPresent(Double.self, forKey: .createdTime)
        deletedAt = try? container.decodeIfPresent(Double.self, forKey: .deletedAt)
        bestMetricValue = try? container.decodeIfPresent(Double.self, forKey: .bestMetricValue)
        bestMetricName = try? container.decodeIfPresent(String.self, forKey: .bestMetricName)
    }
}

/// `GET /api/runs/{id}`: the run with its config (`assets.config`) and summary.
struct RunicornRunDetail: Decodable, Sendable {
    var id: String
    var status: String?
    var path: String?
    var alias: String?
    var startTime: Double?
    var duration: Double?
    var assets: JSONValue?
    var summary: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case id, status, path, alias, duration, assets, summary
        case startTime = "start_time"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        path = try? container.decodeIfPresent(String.self, forKey: .path)
        alias = try? container.decodeIfPresent(String.self, forKey: .alias)
        startTime = try? container.decodeIfPresent(Double.self, forKey: .startTime)
        duration = try? container.decodeIfPresent(Double.self, forKey: .duration)
        assets = try? container.decodeIfPresent(JSONValue.self, forKey: .assets)
        summary = try? container.decodeIfPresent([String: JSONValue].self, forKey: .summary)
    }
}

/// `GET /api/runs/{id}/metrics_step`: a table whose rows are steps (`global_step`, `time`, one column per key, `null`
/// where a key was not logged at that step).
struct RunicornMetricTable: Decodable, Sendable {
    var columns: [String]
    var rows: [[String: JSONValue]]

    enum CodingKeys: String, CodingKey {
        case columns, rows
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        columns = (try? container.decodeIfPresent([String].self, forKey: .columns)) ?? []
        rows = (try? container.decodeIfPresent([[String: JSONValue]].self, forKey: .rows)) ?? []
    }
}

/// `POST /api/runs/soft-delete` and `POST /api/recycle-bin/restore`: an outcome per run id.
struct RunicornBatchResult: Decodable, Sendable {
    struct Outcome: Decodable, Sendable {
        var success: Bool
        var error: String?
    }

    var results: [String: Outcome]
}
