/// What ``InstanceManager/recover()`` found and did after a server start.
public struct InstanceRecoveryReport: Sendable, Hashable {
    /// Instances whose process survived the server (same pid and start time, answering its probe) and is
    /// supervised again: name → pid.
    public var adopted: [String: Int32] = [:]
    /// Instances whose leftover process (or process group) was killed: name → the old pid.
    public var killed: [String: Int32] = [:]
    /// Instances started again because their restart policy says so.
    public var restarted: [String] = []

    public init() {}
}
