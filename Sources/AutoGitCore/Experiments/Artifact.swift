import Foundation

/// A named, versioned file produced by runs: a model, a dataset, an adapter. Each upload is a new version
/// (`v1`, `v2` ...); aliases such as `latest` and `best` point at versions.
public struct Artifact: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    /// What the artifact holds: `model`, `dataset`, `adapter`, `checkpoint`, or anything else.
    public var type: String
    public var description: String?
    public var latestVersion: Int?
    public var versionCount: Int
    /// Alias name → version number.
    public var aliases: [String: Int]
    public var metadata: [String: JSONValue]
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(
        name: String, type: String = "model", description: String? = nil, latestVersion: Int? = nil, versionCount: Int = 0,
        aliases: [String: Int] = [:], metadata: [String: JSONValue] = [:], createdAt: Date? = nil, updatedAt: Date? = nil
    ) {
        self.name = name
        self.type = type
        self.description = description
        self.latestVersion = latestVersion
        self.versionCount = versionCount
        self.aliases = aliases
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var id: String { name }

    enum CodingKeys: String, CodingKey {
        case name, type, description
        case latestVersion = "latest_version"
        case versionCount = "version_count"
        case aliases, metadata
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type, default: "model")
        description = try container.decodeIfPresent(String.self, forKey: .description)
        latestVersion = try container.decodeIfPresent(Int.self, forKey: .latestVersion)
        versionCount = try container.decode(Int.self, forKey: .versionCount, default: 0)
        aliases = try container.decode([String: Int].self, forKey: .aliases, default: [:])
        metadata = try container.decode([String: JSONValue].self, forKey: .metadata, default: [:])
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }
}

/// One uploaded version of an artifact. `sha256` is the lowercase hex digest of the content, verified on upload.
public struct ArtifactVersion: Codable, Sendable, Hashable {
    public var name: String
    public var type: String
    public var version: Int
    public var sizeBytes: Int64
    public var sha256: String
    public var aliases: [String]
    public var metadata: [String: JSONValue]
    /// The run that produced this version, if one did.
    public var runID: String?
    public var createdAt: Date?

    public init(
        name: String, type: String = "model", version: Int, sizeBytes: Int64, sha256: String, aliases: [String] = [],
        metadata: [String: JSONValue] = [:], runID: String? = nil, createdAt: Date? = nil
    ) {
        self.name = name
        self.type = type
        self.version = version
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.aliases = aliases
        self.metadata = metadata
        self.runID = runID
        self.createdAt = createdAt
    }

    /// The version as people write it: `v3`.
    public var label: String { "v\(version)" }

    enum CodingKeys: String, CodingKey {
        case name, type, version
        case sizeBytes = "size_bytes"
        case sha256, aliases, metadata
        case runID = "run_id"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type, default: "model")
        // Versions arrive as 3 or as "v3".
        if let number = try? container.decode(Int.self, forKey: .version) {
            version = number
        } else {
            let text = try container.decode(String.self, forKey: .version)
            guard let number = Int(text.hasPrefix("v") ? String(text.dropFirst()) : text) else {
                throw DecodingError.dataCorruptedError(forKey: .version, in: container, debugDescription: "Not a version: \(text)")
            }
            version = number
        }
        sizeBytes = try container.decode(Int64.self, forKey: .sizeBytes, default: 0)
        sha256 = try container.decode(String.self, forKey: .sha256, default: "")
        aliases = try container.decode([String].self, forKey: .aliases, default: [])
        metadata = try container.decode([String: JSONValue].self, forKey: .metadata, default: [:])
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
    }
}
