/// What a plugin says about itself after ``FleetingPlugin/initialize(_:)``: its limits, what it can do beyond the
/// basics, and the machines it can create with their prices.
public struct ProviderInfo: Codable, Sendable, Hashable {
    /// The plugin's own name (`slurm`), not the provider's configured name.
    public var name: String
    public var version: String
    /// The most instances the infrastructure allows at once; nil for no limit of its own (the policy still caps).
    public var maxInstances: Int?
    public var capabilities: Set<ProviderCapability>
    /// The shapes it can provision; at least one.
    public var offers: [Offer]

    public init(
        name: String, version: String, maxInstances: Int? = nil, capabilities: Set<ProviderCapability> = [], offers: [Offer]
    ) {
        self.name = name
        self.version = version
        self.maxInstances = maxInstances
        self.capabilities = capabilities
        self.offers = offers
    }

    enum CodingKeys: String, CodingKey {
        case name, version
        case maxInstances = "max_instances"
        case capabilities, offers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version, default: "0")
        maxInstances = try container.decodeIfPresent(Int.self, forKey: .maxInstances)
        capabilities = try container.decode(Set<ProviderCapability>.self, forKey: .capabilities, default: [])
        offers = try container.decode([Offer].self, forKey: .offers, default: [])
    }
}

/// Something a provider can do beyond provision / deprovision / list / status.
public enum ProviderCapability: ExtensibleEnum, CaseIterable {
    /// Instances can be suspended and resumed instead of deleted.
    case suspendResume
    /// The infrastructure warns before it takes an instance back, so jobs can be drained.
    case preemptionNotice
    /// `status` reports `preempted` rather than just `gone`.
    case reportsPreemption
    /// Several instances come from one call more cheaply than from several calls.
    case batchProvision
    case unknown(String)

    public static let allCases: [ProviderCapability] = [.suspendResume, .preemptionNotice, .reportsPreemption, .batchProvision]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .suspendResume: "suspend_resume"
        case .preemptionNotice: "preemption_notice"
        case .reportsPreemption: "reports_preemption"
        case .batchProvision: "batch_provision"
        case .unknown(let value): value
        }
    }
}
