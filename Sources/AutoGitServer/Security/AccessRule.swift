import AutoGitCore

/// Who may call a route. Each route declares one rule; ``authorize(_:runnerID:)`` turns it into 401 or 403.
///
/// - `viewer` reads; `operator` also writes fleet state; `admin` also manages tokens and server configuration.
/// - A `runner` token reaches only its own runner's agent endpoints (and the jobs assigned to that runner, which
///   the engine checks); an unbound runner token is a registration token and may only register.
public enum AccessRule: Sendable, Hashable {
    /// No authentication (`/v1/health`, `/metrics`, login).
    case open
    /// Reading fleet state: viewer, operator, admin.
    case read
    /// Changing fleet state: operator, admin.
    case write
    /// Tokens and server configuration: admin.
    case admin
    /// A runner agent's own endpoints (`/v1/runners/{id}/heartbeat`, `/jobs/request`): that runner's token, or
    /// operator and admin.
    case runnerAgent
    /// A runner agent working on a job (`PATCH /v1/jobs/{id}`, `POST /v1/jobs/{id}/logs`): any bound runner token
    /// (the engine checks the job is its own), or operator and admin.
    case jobAgent
    /// `POST /v1/runners/register`: a registration token (a runner token bound to no runner), or operator and admin.
    case registration
    /// Reading one runner (`GET /v1/runners/{id}` and its status, health, metrics, config, logs, jobs): viewer,
    /// operator and admin, or that runner's own token.
    case runnerRead
    /// Reading one job and its logs: viewer, operator and admin, or any bound runner token (the handler checks the
    /// job is assigned to that runner).
    case jobRead
    /// `POST /v1/auth/refresh`: any role, holding a login session (API tokens are not refreshed).
    case session

    /// Throws 401 `AUTHENTICATION_REQUIRED` without a principal and 403 `AUTHORIZATION_FAILED` when the principal's
    /// role does not reach; `runnerID` is the `{id}` of the path, for ``runnerAgent``.
    public func authorize(_ principal: Principal?, runnerID: String? = nil) throws(ServerError) {
        if self == .open { return }
        guard let principal else {
            throw ServerError(
                .authenticationRequired, status: 401,
                "Authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key: <token>'")
        }
        let role = principal.role
        let allowed: Bool
        switch self {
        case .open: allowed = true
        case .read: allowed = role == .viewer || role == .operator || role == .admin
        case .write: allowed = role == .operator || role == .admin
        case .admin: allowed = role == .admin
        case .runnerAgent:
            allowed =
                role == .operator || role == .admin || (role == .runner && principal.runnerID != nil && principal.runnerID == runnerID)
        case .jobAgent: allowed = role == .operator || role == .admin || (role == .runner && principal.runnerID != nil)
        case .registration: allowed = role == .operator || role == .admin || (role == .runner && principal.runnerID == nil)
        case .runnerRead:
            allowed =
                role == .viewer || role == .operator || role == .admin
                || (role == .runner && principal.runnerID != nil && principal.runnerID == runnerID)
        case .jobRead: allowed = role == .viewer || role == .operator || role == .admin || (role == .runner && principal.runnerID != nil)
        case .session: allowed = principal.kind == .session || principal.kind == .anonymous
        }
        guard allowed else {
            throw ServerError(
                .authorizationFailed, status: 403, "A \(role) token may not do this (\(requirement))",
                details: ["role": .string(role.rawValue)])
        }
    }

    private var requirement: String {
        switch self {
        case .open: "open to all"
        case .read: "needs viewer, operator or admin"
        case .write: "needs operator or admin"
        case .admin: "needs admin"
        case .runnerAgent: "needs this runner's own token, or operator or admin"
        case .jobAgent: "needs a runner token, or operator or admin"
        case .registration: "needs a registration token, or operator or admin"
        case .runnerRead: "needs viewer, operator or admin, or this runner's own token"
        case .jobRead: "needs viewer, operator or admin, or the token of the runner the job is assigned to"
        case .session: "needs a session token from POST /v1/auth/login; API tokens are not refreshed"
        }
    }
}
