import Foundation

/// What the engine knows about one provider when the autoscaler decides: its policy, what the plugin offers, and
/// every instance it has with how busy it is.
public struct ProviderState: Sendable, Hashable {
    public var name: String
    public var policy: AutoscalingPolicy
    public var info: ProviderInfo
    public var instances: [InstanceState]
    /// After a failed provision the provider rests until then; demand goes to other providers meanwhile.
    public var unavailableUntil: Date?

    public init(
        name: String, policy: AutoscalingPolicy, info: ProviderInfo, instances: [InstanceState] = [],
        unavailableUntil: Date? = nil
    ) {
        self.name = name
        self.policy = policy
        self.info = info
        self.instances = instances
        self.unavailableUntil = unavailableUntil
    }

    /// One instance as the engine sees it: the plugin's record joined with its runner, if one registered.
    public struct InstanceState: Sendable, Hashable {
        public var instance: FleetingInstance
        /// When its agent registered; nil while it boots.
        public var registeredAt: Date?
        /// Jobs running on it now.
        public var busySlots: Int
        /// Jobs it has started over its life, for `max_use_count`.
        public var jobsStarted: Int
        /// Since when it has had no job (for `idle_timeout`); nil while busy.
        public var idleSince: Date?
        /// Taking no new jobs: being removed already.
        public var isDraining: Bool

        public init(
            instance: FleetingInstance, registeredAt: Date? = nil, busySlots: Int = 0, jobsStarted: Int = 0,
            idleSince: Date? = nil, isDraining: Bool = false
        ) {
            self.instance = instance
            self.registeredAt = registeredAt
            self.busySlots = busySlots
            self.jobsStarted = jobsStarted
            self.idleSince = idleSince
            self.isDraining = isDraining
        }

        /// Created and not yet registered: counts as coming capacity, never removed as idle.
        public var isBooting: Bool { registeredAt == nil && instance.state.isAlive }
    }
}
