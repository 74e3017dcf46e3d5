/// How the agent on an instance is reached or started: what an operator needs to look at it, and what the engine
/// records so that it can clean up after a crash.
public struct ConnectInfo: Codable, Sendable, Hashable {
    /// `local`, `ssh`, `slurm`, `exec`, or a plugin's own word.
    public var transport: String
    /// A host name or address; for `local` the loopback address, for `slurm` the node once the job runs.
    public var address: String?
    public var port: Int?
    public var user: String?
    /// A path or name of the key used to reach the instance, never the key itself.
    public var keyReference: String?
    /// Anything else the transport needs (`pid`, `slurm_job_id`, `remote_log`).
    public var metadata: [String: String]

    public init(
        transport: String, address: String? = nil, port: Int? = nil, user: String? = nil, keyReference: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.transport = transport
        self.address = address
        self.port = port
        self.user = user
        self.keyReference = keyReference
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case transport = "protocol"
        case address, port, user
        case keyReference = "key_reference"
        case metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        transport = try container.decode(String.self, forKey: .transport)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        user = try container.decodeIfPresent(String.self, forKey: .user)
        keyReference = try container.decodeIfPresent(String.self, forKey: .keyReference)
        metadata = try container.decode([String: String].self, forKey: .metadata, default: [:])
    }
}
