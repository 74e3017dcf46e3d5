/// One thing the autoscaler wants done, with the reason an operator reads in the log and the events.
public struct AutoscalingDecision: Sendable, Hashable, CustomStringConvertible {
    public enum Action: Sendable, Hashable {
        /// Ask the provider for `count` instances of `shape`.
        case provision(count: Int, shape: ProvisionShape)
        /// Drain (no new jobs) and deprovision these instances.
        case deprovision(instanceIDs: [String])
    }

    /// Why, as a stable word for events and metrics.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// Queued jobs that nothing can place.
        case demand
        /// Fewer idle slots than the policy keeps.
        case minIdle = "min_idle"
        /// Idle past `idle_timeout` with more idle slots than needed.
        case idleTimeout = "idle_timeout"
        /// Ran `max_use_count` jobs.
        case maxUseCount = "max_use_count"
        /// Its agent never registered within `registration_timeout`.
        case registrationTimeout = "registration_timeout"
        /// The infrastructure reports it failed or preempted.
        case instanceFailed = "instance_failed"
        /// More instances than the policy now allows (a time window lowered `max_instances`).
        case overMaxInstances = "over_max_instances"
    }

    public var provider: String
    public var action: Action
    public var reason: Reason
    /// A sentence with the numbers behind the decision.
    public var detail: String

    public init(provider: String, action: Action, reason: Reason, detail: String) {
        self.provider = provider
        self.action = action
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        switch action {
        case .provision(let count, let shape):
            "\(provider): provision \(count) × \(shape.offerID ?? "default") (\(reason.rawValue)): \(detail)"
        case .deprovision(let ids):
            "\(provider): deprovision \(ids.joined(separator: ", ")) (\(reason.rawValue)): \(detail)"
        }
    }
}

/// Demand no provider can serve now, with the reason to show on the waiting jobs.
public struct UnservedDemand: Sendable, Hashable {
    public var demand: Demand
    /// Jobs of the demand left without coming capacity.
    public var jobCount: Int
    public var reason: String

    public init(demand: Demand, jobCount: Int, reason: String) {
        self.demand = demand
        self.jobCount = jobCount
        self.reason = reason
    }
}

/// Everything one autoscaling pass decided.
public struct AutoscalingPlan: Sendable, Hashable {
    public var decisions: [AutoscalingDecision]
    public var unserved: [UnservedDemand]

    public init(decisions: [AutoscalingDecision] = [], unserved: [UnservedDemand] = []) {
        self.decisions = decisions
        self.unserved = unserved
    }
}
