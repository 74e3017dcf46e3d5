/// Splits a request target into path and query, accepting origin-form (`/a?b`), absolute-form
/// (`http://host/a?b`, which proxies send) and asterisk-form (`*`, for OPTIONS).
enum RequestTarget {
    static func split(_ target: String) -> (path: String, query: String?) {
        var rest = Substring(target)
        if !rest.hasPrefix("/") && rest != "*" {
            // absolute-form: drop scheme and authority.
            if let scheme = rest.range(of: "://") {
                rest = rest[scheme.upperBound...]
                if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                    rest = rest[slash...]
                } else {
                    rest = "/"
                }
                if rest.hasPrefix("?") { rest = "/" + rest }
            }
        }
        if let fragment = rest.firstIndex(of: "#") {
            rest = rest[..<fragment]
        }
        if let question = rest.firstIndex(of: "?") {
            return (String(rest[..<question]), String(rest[rest.index(after: question)...]))
        }
        return (String(rest), nil)
    }

    /// Whether the target is a form this server routes: origin-form, absolute-form with http(s), or `*`.
    static func isAcceptable(_ target: String) -> Bool {
        if target.hasPrefix("/") || target == "*" { return true }
        let lower = target.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}
