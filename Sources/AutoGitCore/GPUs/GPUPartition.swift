/// A slice of a physical GPU that is scheduled as a GPU of its own, such as an NVIDIA MIG device.
public struct GPUPartition: Codable, Sendable, Hashable {
    /// The partitioning technology: `mig` for NVIDIA Multi-Instance GPU.
    public var kind: String
    /// The profile, e.g. `1g.10gb` or `3g.40gb`.
    public var profile: String
    /// The UUID of the physical GPU this slice belongs to.
    public var parentUUID: String?
    /// The index of the physical GPU this slice belongs to.
    public var parentIndex: Int?
    public var gpuInstanceID: Int?
    public var computeInstanceID: Int?

    public init(
        kind: String = "mig", profile: String, parentUUID: String? = nil, parentIndex: Int? = nil, gpuInstanceID: Int? = nil,
        computeInstanceID: Int? = nil
    ) {
        self.kind = kind
        self.profile = profile
        self.parentUUID = parentUUID
        self.parentIndex = parentIndex
        self.gpuInstanceID = gpuInstanceID
        self.computeInstanceID = computeInstanceID
    }

    enum CodingKeys: String, CodingKey {
        case kind, profile
        case parentUUID = "parent_uuid"
        case parentIndex = "parent_index"
        case gpuInstanceID = "gpu_instance_id"
        case computeInstanceID = "compute_instance_id"
    }
}
