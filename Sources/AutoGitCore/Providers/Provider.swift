/// A configured fleeting provider: the plugin behind it, its capacity, and the offers it can provision.
public struct Provider: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    /// The plugin kind: `local`, `ssh`, `slurm`, `exec`.
    public var type: String
    public var status: String?
    public var version: String?
    public var maxInstances: Int?
    public var instanceCount: Int
    /// What the plugin supports beyond the basics: `suspend`, `preemption_notice`, ...
    public var capabilities: [String]
    public var offers: [Offer]
    /// The autoscaling policy in force, as configured.
    public var policy: JSONValue?

    public init(
        name: String, type: String, status: String? = nil, version: String? = nil, maxInstances: Int? = nil,
        instanceCount: Int = 0, capabilities: [String] = [], offers: [Offer] = [], policy: JSONValue? = nil
    ) {
        self.name = name
        self.type = type
        self.status = status
        self.version = version
        self.maxInstances = maxInstances
        self.instanceCount = instanceCount
        self.capabilities = capabilities
        self.offers = offers
        self.policy = policy
    }

    public var id: String { name }

    enum CodingKeys: String, CodingKey {
        case name, type, status, version
        case maxInstances = "max_instances"
        case instanceCount = "instance_count"
        case capabilities, offers, policy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type, default: name)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        maxInstances = try container.decodeIfPresent(Int.self, forKey: .maxInstances)
        instanceCount = try container.decode(Int.self, forKey: .instanceCount, default: 0)
        capabilities = try container.decode([String].self, forKey: .capabilities, default: [])
        offers = try container.decode([Offer].self, forKey: .offers, default: [])
        policy = try container.decodeIfPresent(JSONValue.self, forKey: .policy)
    }
}
