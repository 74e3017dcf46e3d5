/// Ties a job to an experiment run: the `experiment` of a ``JobSpec``.
///
/// With ``runID`` the job reports to that existing run. Without it, the server creates a run in ``project`` (named
/// ``name``, with ``params`` and ``tags``) when the job is submitted, and fills ``runID`` in, so the job as stored
/// and as the runner receives it names its run. The runner agent records the `::metric` lines the job's steps print
/// into that run; the job's final status and cost flow to it.
///
/// On the wire it is an object (`{"project": "vision", "params": {"lr": 0.001}}`); a bare string is read as the
/// project, and a `run_id` beside the spec's other fields as ``runID``.
public struct JobExperiment: Codable, Sendable, Hashable {
    public var runID: String?
    public var project: String?
    /// The new run's name; the job's name when nil.
    public var name: String?
    /// The new run's params, merged into an existing run's params.
    public var params: [String: JSONValue]
    /// The new run's tags.
    public var tags: [String]

    public init(runID: String? = nil, project: String? = nil, name: String? = nil, params: [String: JSONValue] = [:], tags: [String] = []) {
        self.runID = runID
        self.project = project
        self.name = name
        self.params = params
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case project, name, params, tags
    }

    public init(from decoder: any Decoder) throws {
        if let project = try? decoder.singleValueContainer().decode(String.self) {
            self.init(project: project)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            runID: try container.decodeIfPresent(String.self, forKey: .runID),
            project: try container.decodeIfPresent(String.self, forKey: .project),
            name: try container.decodeIfPresent(String.self, forKey: .name),
            params: try container.decode([String: JSONValue].self, forKey: .params, default: [:]),
            tags: try container.decode([String].self, forKey: .tags, default: []))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(runID, forKey: .runID)
        try container.encodeIfPresent(project, forKey: .project)
        try container.encodeIfPresent(name, forKey: .name)
        if !params.isEmpty { try container.encode(params, forKey: .params) }
        if !tags.isEmpty { try container.encode(tags, forKey: .tags) }
    }
}
