import AutoGitCore

/// One job as `squeue` prints it with the fixed format ``format``.
///
/// Why a fixed `--format` and not `--json`: the `%` fields have kept their meaning since Slurm 2, whereas the JSON
/// layout changed with every OpenAPI plugin version (`job_state` was a string in v0.0.38 and is an array from
/// v0.0.39; times became `{set, infinite, number}` objects), and `--json` needs the data-parser plugins installed.
/// Fields are separated by the ASCII unit separator (0x1F), which no job name, comment or reason contains, and the
/// free-text fields come last.
struct SqueueRecord: Sendable, Hashable {
    var jobID: String
    var state: String
    var reason: String
    var nodes: String
    var submitTime: String
    var name: String
    var comment: String

    static let separator: Character = "\u{1F}"
    /// Job id, state, reason, node list, submit time, name, comment.
    static let format = ["%i", "%T", "%r", "%N", "%V", "%j", "%k"].joined(separator: String(separator))

    /// Parses `squeue --noheader --format=<format>` output; lines of another shape are skipped.
    static func parse(_ output: String) -> [SqueueRecord] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: separator, maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, !fields[0].isEmpty, fields[0].allSatisfy(\.isNumber) else { return nil }
            return SqueueRecord(
                jobID: fields[0], state: fields[1], reason: fields[2], nodes: fields[3], submitTime: fields[4], name: fields[5],
                comment: fields[6].trimmingCharacters(in: .whitespaces))
        }
    }

    var instanceState: FleetingInstanceState { SlurmJobState.instanceState(state) }

    /// Whether the job ended without ever getting a node: refused at submission (`BadConstraints`) or cancelled
    /// while pending. It never held resources, so it is no instance.
    var neverStarted: Bool {
        let state = instanceState
        return (state == .failed || state == .gone) && (nodes.isEmpty || nodes == "(null)")
    }

    /// Slurm's reason, unless it is the placeholder `None`.
    var meaningfulReason: String? { reason.isEmpty || reason == "None" || reason == "(null)" ? nil : reason }
}
