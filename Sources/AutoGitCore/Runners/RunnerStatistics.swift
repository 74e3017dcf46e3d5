/// Lifetime counters of a runner. `averageExecutionTime` is in seconds; `uptimePercentage` from 0 to 100.
public struct RunnerStatistics: Codable, Sendable, Hashable {
    public var totalJobsExecuted: Int
    public var successfulJobs: Int
    public var failedJobs: Int
    public var averageExecutionTime: Double?
    public var uptimePercentage: Double?

    public init(
        totalJobsExecuted: Int = 0, successfulJobs: Int = 0, failedJobs: Int = 0, averageExecutionTime: Double? = nil,
        uptimePercentage: Double? = nil
    ) {
        self.totalJobsExecuted = totalJobsExecuted
        self.successfulJobs = successfulJobs
        self.failedJobs = failedJobs
        self.averageExecutionTime = averageExecutionTime
        self.uptimePercentage = uptimePercentage
    }

    enum CodingKeys: String, CodingKey {
        case totalJobsExecuted = "total_jobs_executed"
        case successfulJobs = "successful_jobs"
        case failedJobs = "failed_jobs"
        case averageExecutionTime = "average_execution_time"
        case uptimePercentage = "uptime_percentage"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalJobsExecuted = try container.decode(Int.self, forKey: .totalJobsExecuted, default: 0)
        successfulJobs = try container.decode(Int.self, forKey: .successfulJobs, default: 0)
        failedJobs = try container.decode(Int.self, forKey: .failedJobs, default: 0)
        averageExecutionTime = try container.decodeIfPresent(Double.self, forKey: .averageExecutionTime)
        uptimePercentage = try container.decodeIfPresent(Double.self, forKey: .uptimePercentage)
    }
}
