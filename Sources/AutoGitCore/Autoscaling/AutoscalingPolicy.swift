import Foundation

/// How one provider scales: GitLab docker-autoscaler's knobs, counted in job slots and made GPU-aware.
///
/// Idle capacity is counted in **job slots**, not instances: an instance with `capacityPerInstance = 4` and one
/// running job has 3 idle slots. The autoscaler keeps at least `minIdle` idle slots with the fewest instances that
/// provide them, so with `minIdle = 2` and 4 slots per instance one idle instance stays (4 idle slots), never two,
/// and with `minIdle = 0` every fully idle instance goes once its idle timeout has passed.
public struct AutoscalingPolicy: Codable, Sendable, Hashable {
    /// Idle job slots to keep ready, so a new job starts without waiting for a machine.
    public var minIdle: Int
    /// The most instances alive at once (creating or running), whatever the demand.
    public var maxInstances: Int
    /// How long an instance may sit without jobs before it is removed (when more than `minIdle` slots are idle).
    public var idleTimeout: TimeInterval
    /// Jobs one instance runs at once (the agent's `--concurrency`); GPU jobs are further limited by its GPUs.
    public var capacityPerInstance: Int
    /// Extra idle slots as a factor of the busy ones (0.5 with 10 busy slots keeps 5 idle), never below `minIdle`.
    public var scaleFactor: Double
    /// Caps the idle slots that `scaleFactor` asks for; nil for no cap.
    public var scaleFactorLimit: Int?
    /// Jobs an instance may start before it is retired (once idle); nil for no limit.
    public var maxUseCount: Int?
    /// How long a new instance may take for its agent to register before it is removed as failed.
    public var registrationTimeout: TimeInterval
    /// The labels this provider's runners carry; a job that requires other labels is never provisioned here.
    public var labels: [String]
    /// The architecture of this provider's machines. Jobs that require an architecture are provisioned only on
    /// providers that declare it.
    public var architecture: Architecture?
    /// The offer used for idle capacity; the cheapest when nil.
    public var idleOfferID: String?
    /// Overrides by time of week; the last window that matches `now` wins.
    public var windows: [AutoscalingWindow]
    /// The time zone the windows are written in (`Europe/Paris`); UTC when nil.
    public var timeZone: String?

    public init(
        minIdle: Int = 0, maxInstances: Int = 10, idleTimeout: TimeInterval = 300, capacityPerInstance: Int = 1,
        scaleFactor: Double = 0, scaleFactorLimit: Int? = nil, maxUseCount: Int? = nil,
        registrationTimeout: TimeInterval = 600, labels: [String] = [], architecture: Architecture? = nil,
        idleOfferID: String? = nil, windows: [AutoscalingWindow] = [], timeZone: String? = nil
    ) {
        self.minIdle = minIdle
        self.maxInstances = maxInstances
        self.idleTimeout = idleTimeout
        self.capacityPerInstance = capacityPerInstance
        self.scaleFactor = scaleFactor
        self.scaleFactorLimit = scaleFactorLimit
        self.maxUseCount = maxUseCount
        self.registrationTimeout = registrationTimeout
        self.labels = labels
        self.architecture = architecture
        self.idleOfferID = idleOfferID
        self.windows = windows
        self.timeZone = timeZone
    }

    /// The policy in force at `date`: this one with the last matching window's overrides applied.
    public func effective(at date: Date) -> AutoscalingPolicy {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        guard let window = windows.last(where: { $0.contains(date, in: calendar) }) else { return self }
        var policy = self
        if let value = window.minIdle { policy.minIdle = value }
        if let value = window.maxInstances { policy.maxInstances = value }
        if let value = window.idleTimeout { policy.idleTimeout = value }
        if let value = window.scaleFactor { policy.scaleFactor = value }
        return policy
    }

    /// Checks the numbers are usable; the error names the field (`policy.max_instances`).
    public func validate() throws(CoreError) {
        if minIdle < 0 { throw .invalid("policy.min_idle", "must be 0 or more") }
        if maxInstances < 0 { throw .invalid("policy.max_instances", "must be 0 or more") }
        if capacityPerInstance < 1 { throw .invalid("policy.capacity_per_instance", "must be at least 1") }
        if !(idleTimeout >= 0) { throw .invalid("policy.idle_timeout", "must be 0 or more seconds") }
        if !(registrationTimeout > 0) { throw .invalid("policy.registration_timeout", "must be more than 0 seconds") }
        if !(scaleFactor >= 0) { throw .invalid("policy.scale_factor", "must be 0 or more") }
        if let limit = scaleFactorLimit, limit < 0 { throw .invalid("policy.scale_factor_limit", "must be 0 or more") }
        if let uses = maxUseCount, uses < 1 { throw .invalid("policy.max_use_count", "must be at least 1") }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw .invalid("policy.time_zone", "unknown time zone \(timeZone)")
        }
        for (index, window) in windows.enumerated() {
            try window.validate(field: "policy.windows[\(index)]")
        }
    }

    enum CodingKeys: String, CodingKey {
        case minIdle = "min_idle"
        case maxInstances = "max_instances"
        case idleTimeout = "idle_timeout"
        case capacityPerInstance = "capacity_per_instance"
        case scaleFactor = "scale_factor"
        case scaleFactorLimit = "scale_factor_limit"
        case maxUseCount = "max_use_count"
        case registrationTimeout = "registration_timeout"
        case labels, architecture
        case idleOfferID = "idle_offer"
        case windows
        case timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AutoscalingPolicy()
        minIdle = try container.decode(Int.self, forKey: .minIdle, default: defaults.minIdle)
        maxInstances = try container.decode(Int.self, forKey: .maxInstances, default: defaults.maxInstances)
        idleTimeout = try container.decode(TimeInterval.self, forKey: .idleTimeout, default: defaults.idleTimeout)
        capacityPerInstance = try container.decode(Int.self, forKey: .capacityPerInstance, default: 1)
        scaleFactor = try container.decode(Double.self, forKey: .scaleFactor, default: 0)
        scaleFactorLimit = try container.decodeIfPresent(Int.self, forKey: .scaleFactorLimit)
        maxUseCount = try container.decodeIfPresent(Int.self, forKey: .maxUseCount)
        registrationTimeout = try container.decode(
            TimeInterval.self, forKey: .registrationTimeout, default: defaults.registrationTimeout)
        labels = try container.decode([String].self, forKey: .labels, default: [])
        architecture = try container.decodeIfPresent(Architecture.self, forKey: .architecture)
        idleOfferID = try container.decodeIfPresent(String.self, forKey: .idleOfferID)
        windows = try container.decode([AutoscalingWindow].self, forKey: .windows, default: [])
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
    }
}
