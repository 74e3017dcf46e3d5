/// Whether lower or higher values of a metric are better.
public enum OptimizationMode: ExtensibleEnum, CaseIterable {
    case min, max
    case unknown(String)

    public static let allCases: [OptimizationMode] = [.min, .max]

    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "min", "minimize": self = .min
        case "max", "maximize": self = .max
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .min: "min"
        case .max: "max"
        case .unknown(let value): value
        }
    }
}

/// Which runs to compare and how to pick the best: `POST /v1/experiments/compare`.
public struct ComparisonRequest: Codable, Sendable, Hashable {
    public var runIDs: [String]
    /// The metric that decides the best run; its last logged value is used.
    public var metric: String?
    public var mode: OptimizationMode
    /// Only these metric keys are aligned; all keys when `nil`.
    public var keys: [String]?

    public init(runIDs: [String], metric: String? = nil, mode: OptimizationMode = .min, keys: [String]? = nil) {
        self.runIDs = runIDs
        self.metric = metric
        self.mode = mode
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case runIDs = "run_ids"
        case experimentIDs = "experiment_ids"
        case metric, mode, keys
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // PEFT Studio names the list `experiment_ids`.
        runIDs =
            try container.decodeIfPresent([String].self, forKey: .runIDs)
            ?? container.decode([String].self, forKey: .experimentIDs)
        metric = try container.decodeIfPresent(String.self, forKey: .metric)
        mode = try container.decode(OptimizationMode.self, forKey: .mode, default: .min)
        keys = try container.decodeIfPresent([String].self, forKey: .keys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runIDs, forKey: .runIDs)
        try container.encodeIfPresent(metric, forKey: .metric)
        try container.encode(mode, forKey: .mode)
        try container.encodeIfPresent(keys, forKey: .keys)
    }
}

/// Runs side by side. Every per-run array is aligned with `runIDs`; `null` marks a run that lacks the value.
public struct Comparison: Codable, Sendable, Hashable {
    /// Costs side by side and per unit of the deciding metric.
    public struct CostAnalysis: Codable, Sendable, Hashable {
        public var totalCosts: [Double?]
        public var currency: String?
        /// Cost divided by the deciding metric's final value, where both exist.
        public var costPerMetricUnit: [Double?]

        public init(totalCosts: [Double?], currency: String? = nil, costPerMetricUnit: [Double?] = []) {
            self.totalCosts = totalCosts
            self.currency = currency
            self.costPerMetricUnit = costPerMetricUnit
        }

        enum CodingKeys: String, CodingKey {
            case totalCosts = "total_costs"
            case currency
            case costPerMetricUnit = "cost_per_metric_unit"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            totalCosts = try container.decode([Double?].self, forKey: .totalCosts, default: [])
            currency = try container.decodeIfPresent(String.self, forKey: .currency)
            costPerMetricUnit = try container.decode([Double?].self, forKey: .costPerMetricUnit, default: [])
        }
    }

    public var runIDs: [String]
    /// Final value of each metric per run.
    public var metrics: [String: [Double?]]
    /// Each metric's full series per run, aligned by step: `steps` lists the union of steps, and each run's values
    /// follow it.
    public var series: [String: AlignedSeries]
    public var params: [String: [JSONValue?]]
    public var bestPerformer: String?
    public var metric: String?
    public var mode: OptimizationMode?
    public var costAnalysis: CostAnalysis?

    public init(
        runIDs: [String], metrics: [String: [Double?]] = [:], series: [String: AlignedSeries] = [:],
        params: [String: [JSONValue?]] = [:], bestPerformer: String? = nil, metric: String? = nil,
        mode: OptimizationMode? = nil, costAnalysis: CostAnalysis? = nil
    ) {
        self.runIDs = runIDs
        self.metrics = metrics
        self.series = series
        self.params = params
        self.bestPerformer = bestPerformer
        self.metric = metric
        self.mode = mode
        self.costAnalysis = costAnalysis
    }

    enum CodingKeys: String, CodingKey {
        case runIDs = "run_ids"
        case metrics, series, params
        case bestPerformer = "best_performer"
        case metric, mode
        case costAnalysis = "cost_analysis"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runIDs = try container.decode([String].self, forKey: .runIDs, default: [])
        metrics = try container.decode([String: [Double?]].self, forKey: .metrics, default: [:])
        series = try container.decode([String: AlignedSeries].self, forKey: .series, default: [:])
        params = try container.decode([String: [JSONValue?]].self, forKey: .params, default: [:])
        bestPerformer = try container.decodeIfPresent(String.self, forKey: .bestPerformer)
        metric = try container.decodeIfPresent(String.self, forKey: .metric)
        mode = try container.decodeIfPresent(OptimizationMode.self, forKey: .mode)
        costAnalysis = try container.decodeIfPresent(CostAnalysis.self, forKey: .costAnalysis)
    }
}

/// One metric's series for several runs on a shared step axis.
public struct AlignedSeries: Codable, Sendable, Hashable {
    public var steps: [Int]
    /// One array per run, each as long as `steps`.
    public var values: [[Double?]]

    public init(steps: [Int], values: [[Double?]]) {
        self.steps = steps
        self.values = values
    }
}
