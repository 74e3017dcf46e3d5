import AutoGitCore
import Foundation

/// One status transition of an instance, as the manager reports it: the payload of `instance_status_changed`.
public struct InstanceStatusChange: Sendable, Hashable {
    public var instance: String
    public var oldStatus: InstanceStatus
    public var newStatus: InstanceStatus
    /// Why, in a few words (`start requested`, `health probe passed`, `killed by signal 9 (SIGKILL)`, `idle for 300s`).
    public var reason: String?
    public var timestamp: Date

    public init(instance: String, oldStatus: InstanceStatus, newStatus: InstanceStatus, reason: String? = nil, timestamp: Date = Date()) {
        self.instance = instance
        self.oldStatus = oldStatus
        self.newStatus = newStatus
        self.reason = reason
        self.timestamp = timestamp
    }

    /// `{"instance", "old_status", "new_status", "reason"}` (InstanceStatusChangedPayload of the API).
    public var payload: JSONValue {
        var members: [String: JSONValue] = [
            "instance": .string(instance), "old_status": .string(oldStatus.rawValue), "new_status": .string(newStatus.rawValue),
        ]
        if let reason { members["reason"] = .string(reason) }
        return .object(members)
    }
}
