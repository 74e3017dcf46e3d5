/// A partial update of a runner's descriptive fields: `PUT /v1/runners/{id}`. Fields left `nil` are unchanged;
/// `metadata` keys are merged into the existing metadata.
public struct RunnerUpdate: Codable, Sendable, Hashable {
    public var name: String?
    public var labels: [String]?
    public var tags: [String]?
    public var capabilities: [String]?
    public var metadata: [String: JSONValue]?

    public init(
        name: String? = nil, labels: [String]? = nil, tags: [String]? = nil, capabilities: [String]? = nil,
        metadata: [String: JSONValue]? = nil
    ) {
        self.name = name
        self.labels = labels
        self.tags = tags
        self.capabilities = capabilities
        self.metadata = metadata
    }
}
