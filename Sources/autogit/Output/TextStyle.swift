/// An ANSI text style for tables, statuses and errors.
enum TextStyle: Sendable, Hashable {
    case bold, dim, red, green, yellow, blue, cyan

    var escapeCode: String {
        switch self {
        case .bold: "1"
        case .dim: "2"
        case .red: "31"
        case .green: "32"
        case .yellow: "33"
        case .blue: "34"
        case .cyan: "36"
        }
    }

    /// The colour a status word gets in tables: green when healthy or done, red when failed or lost, yellow while
    /// waiting or winding down, cyan while working.
    static func forStatus(_ status: String) -> TextStyle? {
        switch status {
        case "active", "idle", "succeeded", "healthy", "ok", "online", "running_ok": .green
        case "failed", "error", "offline", "unhealthy", "timed_out", "cancelled": .red
        case "queued", "pending", "provisioning", "starting", "draining", "stopping", "degraded", "assigned": .yellow
        case "running", "busy": .cyan
        default: nil
        }
    }
}

/// Applies ``TextStyle``s when colour is allowed and leaves text alone otherwise.
struct Styler: Sendable, Hashable {
    var isEnabled: Bool

    init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// Colour only on a terminal, never with `--no-color`, a non-empty `NO_COLOR` (https://no-color.org) or
    /// `TERM=dumb`.
    init(isTTY: Bool, isColorDisabled: Bool, environment: [String: String]) {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        isEnabled = isTTY && !isColorDisabled && !noColor && environment["TERM"] != "dumb"
    }

    func apply(_ style: TextStyle?, to text: String) -> String {
        guard isEnabled, let style, !text.isEmpty else { return text }
        return "\u{1B}[\(style.escapeCode)m\(text)\u{1B}[0m"
    }
}
