/// The acknowledgement of an action that changes state (start, stop, update): whether it worked, a message
/// for people, and the resulting status where there is one.
public struct ActionResult: Codable, Sendable, Hashable {
    public var success: Bool
    public var message: String?
    public var status: String?
    /// For configuration changes: whether the change takes effect only after a restart.
    public var restartRequired: Bool?

    public init(success: Bool = true, message: String? = nil, status: String? = nil, restartRequired: Bool? = nil) {
        self.success = success
        self.message = message
        self.status = status
        self.restartRequired = restartRequired
    }

    enum CodingKeys: String, CodingKey {
        case success, message, status
        case restartRequired = "restart_required"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        success = try container.decode(Bool.self, forKey: .success, default: true)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        restartRequired = try container.decodeIfPresent(Bool.self, forKey: .restartRequired)
    }
}
