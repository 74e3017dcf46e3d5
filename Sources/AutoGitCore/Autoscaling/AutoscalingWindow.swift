import Foundation

/// A time-of-week override of a policy ("weekdays 9–18: keep 4 idle slots"). Days and hours are in the policy's
/// time zone; `startHour..<endHour`, wrapping past midnight when `endHour <= startHour` (22 → 6 is the night).
public struct AutoscalingWindow: Codable, Sendable, Hashable {
    /// Days of the week, 1 = Monday … 7 = Sunday (ISO 8601); every day when empty.
    public var days: [Int]
    /// The first hour inside the window, 0–23.
    public var startHour: Int
    /// The first hour after the window, 0–24.
    public var endHour: Int
    public var minIdle: Int?
    public var maxInstances: Int?
    public var idleTimeout: TimeInterval?
    public var scaleFactor: Double?

    public init(
        days: [Int] = [], startHour: Int = 0, endHour: Int = 24, minIdle: Int? = nil, maxInstances: Int? = nil,
        idleTimeout: TimeInterval? = nil, scaleFactor: Double? = nil
    ) {
        self.days = days
        self.startHour = startHour
        self.endHour = endHour
        self.minIdle = minIdle
        self.maxInstances = maxInstances
        self.idleTimeout = idleTimeout
        self.scaleFactor = scaleFactor
    }

    /// Whether `date` falls inside the window. A window that wraps midnight belongs to the day it starts on.
    public func contains(_ date: Date, in calendar: Calendar) -> Bool {
        let hour = calendar.component(.hour, from: date)
        // Calendar weekdays are 1 = Sunday … 7 = Saturday; convert to ISO 1 = Monday … 7 = Sunday.
        let isoDay = (calendar.component(.weekday, from: date) + 5) % 7 + 1
        let previousDay = isoDay == 1 ? 7 : isoDay - 1
        if startHour < endHour {
            return (days.isEmpty || days.contains(isoDay)) && hour >= startHour && hour < endHour
        }
        // Wrapping: the evening part belongs to today, the early-morning part to yesterday's window.
        if hour >= startHour { return days.isEmpty || days.contains(isoDay) }
        if hour < endHour { return days.isEmpty || days.contains(previousDay) }
        return false
    }

    func validate(field: String) throws(CoreError) {
        if let bad = days.first(where: { !(1...7).contains($0) }) {
            throw .invalid("\(field).days", "\(bad) is not a day: use 1 (Monday) to 7 (Sunday)")
        }
        if !(0...23).contains(startHour) { throw .invalid("\(field).start_hour", "must be 0 to 23") }
        if !(0...24).contains(endHour) { throw .invalid("\(field).end_hour", "must be 0 to 24") }
        if let value = minIdle, value < 0 { throw .invalid("\(field).min_idle", "must be 0 or more") }
        if let value = maxInstances, value < 0 { throw .invalid("\(field).max_instances", "must be 0 or more") }
    }

    enum CodingKeys: String, CodingKey {
        case days
        case startHour = "start_hour"
        case endHour = "end_hour"
        case minIdle = "min_idle"
        case maxInstances = "max_instances"
        case idleTimeout = "idle_timeout"
        case scaleFactor = "scale_factor"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        days = try container.decode([Int].self, forKey: .days, default: [])
        startHour = try container.decode(Int.self, forKey: .startHour, default: 0)
        endHour = try container.decode(Int.self, forKey: .endHour, default: 24)
        minIdle = try container.decodeIfPresent(Int.self, forKey: .minIdle)
        maxInstances = try container.decodeIfPresent(Int.self, forKey: .maxInstances)
        idleTimeout = try container.decodeIfPresent(TimeInterval.self, forKey: .idleTimeout)
        scaleFactor = try container.decodeIfPresent(Double.self, forKey: .scaleFactor)
    }
}
