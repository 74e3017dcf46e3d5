import Foundation

/// Slurm's timestamps (`2026-12-03T09:20:24`, in the controller's local time zone, or `N/A`).
enum SlurmTime {
    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: text)
    }
}
