import Foundation

/// One sample of a time series.
public struct MetricSample: Codable, Sendable, Hashable {
    public var timestamp: Date
    public var value: Double

    public init(timestamp: Date, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// A time series of samples, oldest first.
public typealias MetricSeries = [MetricSample]

/// A runner's recorded load over a period: `GET /v1/runners/{id}/metrics?period=24h&resolution=5m`.
///
/// Series are keyed by metric name (`cpu_usage`, `memory_usage`, `active_jobs`, `gpu_utilization` ...), averaged
/// per resolution bucket. `summary` holds aggregates such as `avg_cpu_usage` and `max_memory_usage`.
public struct RunnerMetrics: Codable, Sendable, Hashable {
    public var runnerID: String
    public var period: String
    public var resolution: String
    public var metrics: [String: MetricSeries]
    public var summary: [String: Double]

    public init(
        runnerID: String, period: String, resolution: String, metrics: [String: MetricSeries] = [:], summary: [String: Double] = [:]
    ) {
        self.runnerID = runnerID
        self.period = period
        self.resolution = resolution
        self.metrics = metrics
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case runnerID = "runner_id"
        case period, resolution, metrics, summary
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runnerID = try container.decode(String.self, forKey: .runnerID)
        period = try container.decode(String.self, forKey: .period, default: "1h")
        resolution = try container.decode(String.self, forKey: .resolution, default: "1m")
        metrics = try container.decode([String: MetricSeries].self, forKey: .metrics, default: [:])
        summary = try container.decode([String: Double].self, forKey: .summary, default: [:])
    }
}
