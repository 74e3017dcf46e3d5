import AutoGitCore

/// The errors of the instance engine, as the API answers them.
enum InstanceErrors {
    static func notFound(_ name: String) -> ServerError {
        ServerError(.instanceNotFound, status: 404, "Instance '\(name)' not found", details: ["instance": .string(name)])
    }

    /// 422 `VALIDATION_FAILED` naming `field`.
    static func invalid(_ field: String, _ message: String) -> ServerError {
        ServerError(.validationFailed, status: 422, "\(field): \(message)", details: ["field": .string(field)])
    }

    static func nameTaken(_ name: String) -> ServerError {
        ServerError(.conflict, status: 409, "An instance named '\(name)' already exists", details: ["instance": .string(name)])
    }

    /// 409 `CONFLICT` naming the port: another instance holds it, or another program listens on it.
    static func portInUse(_ port: Int, by holder: String? = nil) -> ServerError {
        let who = holder.map { "by instance '\($0)'" } ?? "by another program"
        var details: [String: JSONValue] = ["field": "port", "port": .number(Double(port)), "reason": "port_in_use"]
        if let holder { details["instance"] = .string(holder) }
        return ServerError(.conflict, status: 409, "Port \(port) is already in use \(who)", details: .object(details))
    }

    static func noFreePort(_ range: ClosedRange<Int>) -> ServerError {
        ServerError(
            .resourceUnavailable, status: 503, "No free port left in \(range.lowerBound)-\(range.upperBound)",
            details: ["port_range_start": .number(Double(range.lowerBound)), "port_range_end": .number(Double(range.upperBound))])
    }

    /// 409 `INVALID_STATE_TRANSITION`: start while running, stop while stopped.
    static func invalidTransition(_ name: String, _ status: InstanceStatus, _ action: String) -> ServerError {
        ServerError(
            .invalidStateTransition, status: 409, "Cannot \(action) instance '\(name)' while it is \(status.rawValue)",
            details: ["instance": .string(name), "status": .string(status.rawValue)])
    }

    /// 409 `CONFLICT`: a change or deletion that needs the instance stopped first.
    static func busy(_ name: String, _ status: InstanceStatus, _ message: String, fields: [String] = []) -> ServerError {
        var details: [String: JSONValue] = ["instance": .string(name), "status": .string(status.rawValue)]
        if !fields.isEmpty { details["fields"] = .array(fields.map(JSONValue.string)) }
        return ServerError(.conflict, status: 409, message, details: .object(details))
    }

    static func spawnFailed(_ program: String, _ reason: String) -> ServerError {
        ServerError(.internalError, status: 500, "Cannot start \(program): \(reason)")
    }

    /// 503 `SERVICE_UNAVAILABLE`: the proxy cannot reach a serving instance.
    static func unavailable(_ name: String, _ message: String) -> ServerError {
        ServerError(.serviceUnavailable, status: 503, message, details: ["instance": .string(name)])
    }

    static func shutDown() -> ServerError {
        ServerError(.serviceUnavailable, status: 503, "The instance manager is shutting down")
    }
}
