/// The kind of machine to provision: the offer the autoscaler chose, with the GPUs and labels demand asked for.
public struct ProvisionShape: Codable, Sendable, Hashable {
    /// The chosen ``Offer/id``; nil when the provider has one kind of machine.
    public var offerID: String?
    /// The GPU family (`a100`); nil for CPU-only.
    public var gpuType: String?
    public var gpuCount: Int
    /// Labels the new runners carry so the queued jobs that caused them can land there.
    public var labels: [String]

    public init(offerID: String? = nil, gpuType: String? = nil, gpuCount: Int = 0, labels: [String] = []) {
        self.offerID = offerID
        self.gpuType = gpuType
        self.gpuCount = gpuCount
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case offerID = "offer_id"
        case gpuType = "gpu_type"
        case gpuCount = "gpu_count"
        case labels
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        offerID = try container.decodeIfPresent(String.self, forKey: .offerID)
        gpuType = try container.decodeIfPresent(String.self, forKey: .gpuType)
        gpuCount = try container.decode(Int.self, forKey: .gpuCount, default: 0)
        labels = try container.decode([String].self, forKey: .labels, default: [])
    }
}
