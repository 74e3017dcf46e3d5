/// A machine shape a provider can create, with its price: what the autoscaler chooses between.
public struct Offer: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    /// A GPU family or model (`a100`, `RTX 4090`); `nil` for CPU-only machines.
    public var gpuType: String?
    public var gpuCount: Int
    /// GPU memory per GPU in GiB, when known.
    public var gpuMemoryGB: Double?
    public var cpuCores: Int?
    public var memoryGB: Double?
    /// Price per instance-hour in `currency`.
    public var hourlyPrice: Double?
    public var currency: String
    /// Billing granularity in seconds (60 for per-minute billing).
    public var billingIncrement: Int?
    /// The interruptible (spot/preemptible) price, where the provider has one.
    public var spotPrice: Double?
    public var available: Bool

    public init(
        id: String, gpuType: String? = nil, gpuCount: Int = 0, gpuMemoryGB: Double? = nil, cpuCores: Int? = nil,
        memoryGB: Double? = nil, hourlyPrice: Double? = nil, currency: String = "USD", billingIncrement: Int? = nil,
        spotPrice: Double? = nil, available: Bool = true
    ) {
        self.id = id
        self.gpuType = gpuType
        self.gpuCount = gpuCount
        self.gpuMemoryGB = gpuMemoryGB
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.hourlyPrice = hourlyPrice
        self.currency = currency
        self.billingIncrement = billingIncrement
        self.spotPrice = spotPrice
        self.available = available
    }

    enum CodingKeys: String, CodingKey {
        case id
        case gpuType = "gpu_type"
        case gpuCount = "gpu_count"
        case gpuMemoryGB = "gpu_memory_gb"
        case cpuCores = "cpu_cores"
        case memoryGB = "memory_gb"
        case hourlyPrice = "hourly_price"
        case currency
        case billingIncrement = "billing_increment"
        case spotPrice = "spot_price"
        case available
        // PEFT Studio's compute resources.
        case resourceID = "resource_id"
        case vramGB = "vram_gb"
        case ramGB = "ram_gb"
        case pricing
    }

    private struct Pricing: Decodable {
        var hourlyRate: Double?
        var currency: String?
        var billingIncrement: Int?

        enum CodingKeys: String, CodingKey {
            case hourlyRate = "hourly_rate"
            case currency
            case billingIncrement = "billing_increment"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let pricing = try container.decodeIfPresent(Pricing.self, forKey: .pricing)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? container.decode(String.self, forKey: .resourceID)
        gpuType = try container.decodeIfPresent(String.self, forKey: .gpuType)
        gpuCount = try container.decode(Int.self, forKey: .gpuCount, default: 0)
        gpuMemoryGB =
            try container.decodeIfPresent(Double.self, forKey: .gpuMemoryGB)
            ?? container.decodeIfPresent(Double.self, forKey: .vramGB)
        cpuCores = try container.decodeIfPresent(Int.self, forKey: .cpuCores)
        memoryGB =
            try container.decodeIfPresent(Double.self, forKey: .memoryGB)
            ?? container.decodeIfPresent(Double.self, forKey: .ramGB)
        hourlyPrice = try container.decodeIfPresent(Double.self, forKey: .hourlyPrice) ?? pricing?.hourlyRate
        currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? pricing?.currency ?? "USD"
        billingIncrement = try container.decodeIfPresent(Int.self, forKey: .billingIncrement) ?? pricing?.billingIncrement
        spotPrice = try container.decodeIfPresent(Double.self, forKey: .spotPrice)
        available = try container.decode(Bool.self, forKey: .available, default: true)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(gpuType, forKey: .gpuType)
        try container.encode(gpuCount, forKey: .gpuCount)
        try container.encodeIfPresent(gpuMemoryGB, forKey: .gpuMemoryGB)
        try container.encodeIfPresent(cpuCores, forKey: .cpuCores)
        try container.encodeIfPresent(memoryGB, forKey: .memoryGB)
        try container.encodeIfPresent(hourlyPrice, forKey: .hourlyPrice)
        try container.encode(currency, forKey: .currency)
        try container.encodeIfPresent(billingIncrement, forKey: .billingIncrement)
        try container.encodeIfPresent(spotPrice, forKey: .spotPrice)
        try container.encode(available, forKey: .available)
    }
}
