/// A new run: `POST /v1/runs`.
public struct RunCreateRequest: Codable, Sendable, Hashable {
    public var project: String
    public var name: String?
    public var params: [String: JSONValue]
    public var tags: [String]
    public var jobID: String?

    public init(project: String, name: String? = nil, params: [String: JSONValue] = [:], tags: [String] = [], jobID: String? = nil) {
        self.project = project
        self.name = name
        self.params = params
        self.tags = tags
        self.jobID = jobID
    }

    enum CodingKeys: String, CodingKey {
        case project, name, params, tags
        case jobID = "job_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        project = try container.decode(String.self, forKey: .project)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        params = try container.decode([String: JSONValue].self, forKey: .params, default: [:])
        tags = try container.decode([String].self, forKey: .tags, default: [])
        jobID = try container.decodeIfPresent(String.self, forKey: .jobID)
    }
}

/// A change to a run: `PATCH /v1/runs/{id}`. Fields left `nil` are unchanged; `params` and `summary` keys are
/// merged into the existing ones.
public struct RunUpdate: Codable, Sendable, Hashable {
    public var name: String?
    public var status: RunStatus?
    public var tags: [String]?
    public var params: [String: JSONValue]?
    public var summary: [String: JSONValue]?

    public init(
        name: String? = nil, status: RunStatus? = nil, tags: [String]? = nil, params: [String: JSONValue]? = nil,
        summary: [String: JSONValue]? = nil
    ) {
        self.name = name
        self.status = status
        self.tags = tags
        self.params = params
        self.summary = summary
    }
}

/// Metric points to append to a run: `POST /v1/runs/{id}/metrics`. Thousands of points per request are fine.
public struct MetricBatch: Codable, Sendable, Hashable {
    public var points: [MetricPoint]

    public init(points: [MetricPoint]) {
        self.points = points
    }
}

/// One metric of a run as read back: `GET /v1/runs/{id}/metrics?key=loss&max_points=500`.
///
/// When the series has more points than asked for, it is downsampled by step buckets keeping each bucket's minimum
/// and maximum, so spikes stay visible; `downsampled` says so and `totalPoints` gives the stored count.
public struct RunMetricSeries: Codable, Sendable, Hashable {
    public var runID: String
    public var key: String
    public var points: [MetricPoint]
    public var totalPoints: Int
    public var downsampled: Bool

    public init(runID: String, key: String, points: [MetricPoint], totalPoints: Int? = nil, downsampled: Bool = false) {
        self.runID = runID
        self.key = key
        self.points = points
        self.totalPoints = totalPoints ?? points.count
        self.downsampled = downsampled
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case key, points
        case totalPoints = "total_points"
        case downsampled
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        key = try container.decode(String.self, forKey: .key)
        points = try container.decode([MetricPoint].self, forKey: .points, default: [])
        totalPoints = try container.decode(Int.self, forKey: .totalPoints, default: points.count)
        downsampled = try container.decode(Bool.self, forKey: .downsampled, default: false)
    }
}
