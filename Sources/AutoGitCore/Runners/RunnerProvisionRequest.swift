/// A request to create runners through a fleeting provider: `POST /v1/runners`.
///
/// The server picks the provider's offer that fits `gpuType` and `gpuCount`; with no `provider` it picks the
/// cheapest provider that can serve the shape.
public struct RunnerProvisionRequest: Codable, Sendable, Hashable {
    public var provider: String?
    public var architecture: Architecture?
    /// A GPU family or model to match, case-insensitively (`a100`, `nvidia`, `H100`).
    public var gpuType: String?
    public var gpuCount: Int?
    public var labels: [String]
    public var name: String?
    /// How many runners to create. Defaults to 1.
    public var count: Int?

    public init(
        provider: String? = nil, architecture: Architecture? = nil, gpuType: String? = nil, gpuCount: Int? = nil,
        labels: [String] = [], name: String? = nil, count: Int? = nil
    ) {
        self.provider = provider
        self.architecture = architecture
        self.gpuType = gpuType
        self.gpuCount = gpuCount
        self.labels = labels
        self.name = name
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case provider, architecture
        case gpuType = "gpu_type"
        case gpuCount = "gpu_count"
        case labels, name, count
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        architecture = try container.decodeIfPresent(Architecture.self, forKey: .architecture)
        gpuType = try container.decodeIfPresent(String.self, forKey: .gpuType)
        gpuCount = try container.decodeIfPresent(Int.self, forKey: .gpuCount)
        labels = try container.decode([String].self, forKey: .labels, default: [])
        name = try container.decodeIfPresent(String.self, forKey: .name)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
    }
}
