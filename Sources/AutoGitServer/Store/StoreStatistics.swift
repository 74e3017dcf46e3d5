/// Counters the store keeps for `/metrics` and the benchmark: how many writes it made durable and what the
/// syncs cost.
public struct StoreStatistics: Sendable, Equatable {
    /// Changes committed (each `commit` call counts its changes).
    public var changes: Int = 0
    /// `commit` calls that returned successfully.
    public var commits: Int = 0
    /// Group commits: one write and one sync each, covering every commit that arrived meanwhile.
    public var syncs: Int = 0
    /// Seconds spent in fdatasync, in total and for the slowest one.
    public var syncSeconds: Double = 0
    public var slowestSyncSeconds: Double = 0
    /// Snapshots written since start.
    public var snapshots: Int = 0
    /// Bytes in the journal segments written since the last snapshot.
    public var journalBytes: Int = 0
    /// Latest sync durations, bucketed for a Prometheus histogram: upper bounds in seconds and cumulative counts.
    public var syncHistogram: [(bound: Double, count: Int)] = DurableStoreHistogram.bounds.map { ($0, 0) }

    public static func == (lhs: StoreStatistics, rhs: StoreStatistics) -> Bool {
        lhs.changes == rhs.changes && lhs.commits == rhs.commits && lhs.syncs == rhs.syncs
            && lhs.syncSeconds == rhs.syncSeconds && lhs.snapshots == rhs.snapshots
            && lhs.journalBytes == rhs.journalBytes && lhs.syncHistogram.map(\.count) == rhs.syncHistogram.map(\.count)
    }

    mutating func recordSync(seconds: Double) {
        syncs += 1
        syncSeconds += seconds
        slowestSyncSeconds = max(slowestSyncSeconds, seconds)
        for index in syncHistogram.indices where seconds <= syncHistogram[index].bound {
            syncHistogram[index].count += 1
        }
    }
}

enum DurableStoreHistogram {
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
}
