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
    /// The experiment run the job reports its `::metric` lines, final status and cost to, when it has one.
    public var experiment: JobExperiment?

    public init(
        name: String, steps: [JobStep], environment: [String: String] = [:], timeout: Int? = nil, retryCount: Int = 0,
        requirements: JobRequirements = JobRequirements(), priority: Int = 0, experiment: JobExperiment? = nil
    ) {
        self.name = name
        self.steps = steps
        self.environment = environment
        self.timeout = timeout
        self.retryCount = retryCount
        self.requirements = requirements
        self.priority = priority
        self.experiment = experiment
    }

    enum CodingKeys: String, CodingKey {
        case name, steps, environment, timeout
        case retryCount = "retry_count"
        case requirements, priority, experiment
        case runID = "run_id"
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
        experiment = try container.decodeIfPresent(JobExperiment.self, forKey: .experiment)
        // A bare `run_id` beside the other fields attaches the job to that run.
        if let runID = try container.decodeIfPresent(String.self, forKey: .runID) {
            if experiment == nil { experiment = JobExperiment() }
            if experiment?.runID == nil { experiment?.runID = runID }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(steps, forKey: .steps)
        try container.encode(environment, forKey: .environment)
        try container.encodeIfPresent(timeout, forKey: .timeout)
        try container.encode(retryCount, forKey: .retryCount)
        try container.encode(requirements, forKey: .requirements)
        try container.encode(priority, forKey: .priority)
        try container.encodeIfPresent(experiment, forKey: .experiment)
    }
}
