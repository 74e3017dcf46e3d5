/// A configured fleeting provider: the plugin behind it, its capacity, and the offers it can provision.
public struct Provider: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    /// The plugin kind: `local`, `ssh`, `slurm`, `exec`.
    public var type: String
    /// `initializing`, `ready`, `error` (see ``message``) or `removing` (taken out of the configuration, its
    /// instances going as they become idle).
    public var status: String?
    /// Why the provider is in error, or what its last failed provision said.
    public var message: String?
    public var version: String?
    public var maxInstances: Int?
    public var instanceCount: Int
    /// What the plugin supports beyond the basics: `suspend`, `preemption_notice`, ...
    public var capabilities: [String]
    public var offers: [Offer]
    /// The autoscaling policy in force, with its defaults filled in.
    public var policy: JSONValue?
    /// The instances the provider has now, each with the runner it carries.
    public var instances: [ProviderInstance]

    public init(
        name: String, type: String, status: String? = nil, message: String? = nil, version: String? = nil,
        maxInstances: Int? = nil, instanceCount: Int = 0, capabilities: [String] = [], offers: [Offer] = [],
        policy: JSONValue? = nil, instances: [ProviderInstance] = []
    ) {
        self.name = name
        self.type = type
        self.status = status
        self.message = message
        self.version = version
        self.maxInstances = maxInstances
        self.instanceCount = instanceCount
        self.capabilities = capabilities
        self.offers = offers
        self.policy = policy
        self.instances = instances
    }

    public var id: String { name }

    enum CodingKeys: String, CodingKey {
        case name, type, status, message, version
        case maxInstances = "max_instances"
        case instanceCount = "instance_count"
        case capabilities, offers, policy, instances
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type, default: name)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        maxInstances = try container.decodeIfPresent(Int.self, forKey: .maxInstances)
        instanceCount = try container.decode(Int.self, forKey: .instanceCount, default: 0)
        capabilities = try container.decode([String].self, forKey: .capabilities, default: [])
        offers = try container.decode([Offer].self, forKey: .offers, default: [])
        policy = try container.decodeIfPresent(JSONValue.self, forKey: .policy)
        instances = try container.decode([ProviderInstance].self, forKey: .instances, default: [])
    }
}
