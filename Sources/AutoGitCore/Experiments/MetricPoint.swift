import Foundation

/// One value of a run's metric at a training step, e.g. `loss = 0.52` at step 10.
public struct MetricPoint: Codable, Sendable, Hashable {
    public var key: String
    public var step: Int
    public var value: Double
    public var timestamp: Date?

    public init(key: String, step: Int, value: Double, timestamp: Date? = nil) {
        self.key = key
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }
}
