/// The outcome of `start-all` or `stop-all`, instance by instance.
public struct InstanceBatchResult: Codable, Sendable, Hashable {
    /// The outcome for one instance.
    public struct Item: Codable, Sendable, Hashable {
        public var name: String
        public var success: Bool
        public var status: InstanceStatus?
        public var error: APIErrorBody?

        public init(name: String, success: Bool, status: InstanceStatus? = nil, error: APIErrorBody? = nil) {
            self.name = name
            self.success = success
            self.status = status
            self.error = error
        }
    }

    public var success: Bool
    public var results: [Item]

    public init(results: [Item]) {
        self.results = results
        self.success = results.allSatisfy(\.success)
    }
}
