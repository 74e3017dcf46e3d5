import AutoGitCore

/// What `runs delete -o json` prints per run: the run moved to the trash, or a note for a permanent delete.
enum RunDeletion: Encodable {
    case run(ExperimentRun)
    case deleted(String)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .run(let run): try run.encode(to: encoder)
        case .deleted(let id): try ActionResult(success: true, message: "run \(id) deleted permanently").encode(to: encoder)
        }
    }
}
