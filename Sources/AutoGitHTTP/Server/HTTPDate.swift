#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `Date` header in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), formatted once per second per loop.
struct HTTPDate {
    private var second: time_t = -1
    private var cached: [UInt8] = []

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The complete `Date: …\r\n` field line for the current second.
    mutating func fieldLine() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            cached = Array("Date: \(Self.format(now))\r\n".utf8)
        }
        return cached
    }

    static func format(_ time: time_t) -> String {
        var moment = time
        var parts = tm()
        gmtime_r(&moment, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday)]
        let month = months[Int(parts.tm_mon)]
        return
            "\(day), \(two(parts.tm_mday)) \(month) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
