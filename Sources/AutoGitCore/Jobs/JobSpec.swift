/// What a user submits: `POST /v1/jobs`. Steps run in order; the first failing step fails the job.
public struct JobSpec: Codable, Sendable, Hashable {
    public var name: String
    public var steps: [JobStep]
    public var environment: [String: String]
    /// The whole job's time limit in seconds; the server's default applies when `nil`.
    public var timeout: Int?
    /// How many times the job is run again after it fails or its runner is lost.
    public var retryCount: Int
    public var requirements: JobRequirements
    /// Higher runs first; equal priorities run in submission order.
    public var priority: Int

    public init(
        name: String, steps: [JobStep], environment: [String: String] = [:], timeout: Int? = nil, retryCount: Int = 0,
        requirements: JobRequirements = JobRequirements(), priority: Int = 0
    ) {
        self.name = name
        self.steps = steps
        self.environment = environment
        self.timeout = timeout
        self.retryCount = retryCount
        self.requirements = requirements
        self.priority = priority
    }

    enum CodingKeys: String, CodingKey {
        case name, steps, environment, timeout
        case retryCount = "retry_count"
        case requirements, priority
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name, default: "")
        steps = try container.decode([JobStep].self, forKey: .steps, default: [])
        environment = try container.decode([String: String].self, forKey: .environment, default: [:])
        timeout = try container.decodeIfPresent(Int.self, forKey: .timeout)
        retryCount = try container.decode(Int.self, forKey: .retryCount, default: 0)
        requirements = try container.decode(JobRequirements.self, forKey: .requirements, default: JobRequirements())
        priority = try container.decode(Int.self, forKey: .priority, default: 0)
    }
}
