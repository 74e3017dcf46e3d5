/// The exit statuses `autogit` documents, so scripts can branch on the kind of failure without reading stderr.
///
/// A command that mirrors another process (`jobs submit --wait`) may exit with that process's status instead.
enum ExitCode: Int32, CaseIterable, Sendable {
    case success = 0
    case failure = 1
    case usage = 2
    case notFound = 3
    case unauthorized = 4
    case conflict = 5
    case serverUnreachable = 6

    /// What the status means, as the reference's exit-code table states it.
    var meaning: String {
        switch self {
        case .success: "Success"
        case .failure: "Failure: the command could not do what was asked"
        case .usage: "Usage error: unknown option, missing or invalid argument"
        case .notFound: "Not found: the runner, job or other resource does not exist (HTTP 404)"
        case .unauthorized: "Unauthorised or forbidden: missing, invalid or insufficient token (HTTP 401, 403)"
        case .conflict: "Conflict: the resource is not in a state that allows the request (HTTP 409)"
        case .serverUnreachable: "Server unreachable: no answer from the server at --server"
        }
    }
}
