import Foundation

/// Short relative times for tables: "just now", "42s ago", "3m ago", "5h ago", "2d ago", "in 3m".
///
/// JSON output keeps absolute RFC 3339 times; these are for people reading a table.
enum RelativeTime {
    /// Describes `date` as seen from `now`, in the largest whole unit (seconds, minutes, hours, days, years).
    static func describe(_ date: Date, relativeTo now: Date) -> String {
        let interval = now.timeIntervalSince(date)
        let seconds = Int(abs(interval).rounded(.down))
        if seconds < 1 { return "just now" }
        let amount: String
        switch seconds {
        case ..<60: amount = "\(seconds)s"
        case ..<3600: amount = "\(seconds / 60)m"
        case ..<86_400: amount = "\(seconds / 3600)h"
        case ..<(365 * 86_400): amount = "\(seconds / 86_400)d"
        default: amount = "\(seconds / (365 * 86_400))y"
        }
        return interval >= 0 ? "\(amount) ago" : "in \(amount)"
    }
}
