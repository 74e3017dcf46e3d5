/// One operation applied to every runner that matches the filters: `POST /v1/runners/bulk`.
public struct BulkOperation: Codable, Sendable, Hashable {
    /// What to do to each matching runner.
    public enum Kind: ExtensibleEnum, CaseIterable {
        case start, stop, restart, drain, delete, updateConfig, addTags, removeTags
        case unknown(String)

        public static let allCases: [Kind] = [.start, .stop, .restart, .drain, .delete, .updateConfig, .addTags, .removeTags]

        public init(rawValue: String) {
            self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .start: "start"
            case .stop: "stop"
            case .restart: "restart"
            case .drain: "drain"
            case .delete: "delete"
            case .updateConfig: "update_config"
            case .addTags: "add_tags"
            case .removeTags: "remove_tags"
            case .unknown(let value): value
            }
        }
    }

    /// Which runners the operation applies to. All given filters must match; `ids` alone selects exactly those.
    public struct Filters: Codable, Sendable, Hashable {
        public var ids: [String]?
        public var status: RunnerStatus?
        public var type: RunnerType?
        public var tags: [String]?
        public var labels: [String]?

        public init(
            ids: [String]? = nil, status: RunnerStatus? = nil, type: RunnerType? = nil, tags: [String]? = nil, labels: [String]? = nil
        ) {
            self.ids = ids
            self.status = status
            self.type = type
            self.tags = tags
            self.labels = labels
        }
    }

    public var operation: Kind
    public var filters: Filters
    /// The operation's argument: a ``RunnerConfiguration`` for `update_config`, `{"tags": [...]}` for tag changes,
    /// a ``RunnerStopRequest`` for `stop`/`restart`.
    public var data: JSONValue?

    public init(operation: Kind, filters: Filters = Filters(), data: JSONValue? = nil) {
        self.operation = operation
        self.filters = filters
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case operation, filters, data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operation = try container.decode(Kind.self, forKey: .operation)
        filters = try container.decode(Filters.self, forKey: .filters, default: Filters())
        data = try container.decodeIfPresent(JSONValue.self, forKey: .data)
    }
}

/// The outcome of a bulk operation, runner by runner: some may succeed while others fail.
public struct BulkOperationResult: Codable, Sendable, Hashable {
    /// The outcome for one runner.
    public struct Item: Codable, Sendable, Hashable {
        public var runnerID: String
        public var success: Bool
        public var error: APIErrorBody?

        public init(runnerID: String, success: Bool, error: APIErrorBody? = nil) {
            self.runnerID = runnerID
            self.success = success
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case runnerID = "runner_id"
            case success, error
        }
    }

    /// True when every runner succeeded.
    public var success: Bool
    public var affectedRunners: Int
    public var results: [Item]

    public init(results: [Item]) {
        self.results = results
        self.affectedRunners = results.filter(\.success).count
        self.success = results.allSatisfy(\.success)
    }

    enum CodingKeys: String, CodingKey {
        case success
        case affectedRunners = "affected_runners"
        case results
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decode([Item].self, forKey: .results, default: [])
        success = try container.decode(Bool.self, forKey: .success, default: results.allSatisfy(\.success))
        affectedRunners = try container.decode(Int.self, forKey: .affectedRunners, default: results.filter(\.success).count)
    }
}
