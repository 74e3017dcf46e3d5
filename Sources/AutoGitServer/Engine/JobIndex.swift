import AutoGitCore

/// What the engine looks up about jobs without scanning them all: how many are in each status, and which jobs each
/// runner holds (assigned or running). ``Fleet`` updates it in its one place that stores a job, so it never drifts.
struct JobIndex {
    private(set) var countsByStatus: [JobStatus: Int] = [:]
    private var activeByRunner: [String: Set<String>] = [:]

    /// Records that a job changed from `old` (nil when new) to `new`.
    mutating func update(from old: Job?, to new: Job) {
        if let old {
            countsByStatus[old.status, default: 0] -= 1
            if countsByStatus[old.status] == 0 { countsByStatus[old.status] = nil }
            if let runnerID = old.runnerID, Self.isActive(old) {
                activeByRunner[runnerID]?.remove(old.id)
                if activeByRunner[runnerID]?.isEmpty == true { activeByRunner[runnerID] = nil }
            }
        }
        countsByStatus[new.status, default: 0] += 1
        if let runnerID = new.runnerID, Self.isActive(new) {
            activeByRunner[runnerID, default: []].insert(new.id)
        }
    }

    /// The ids of the jobs assigned to or running on `runnerID`.
    func activeJobIDs(of runnerID: String) -> Set<String> {
        activeByRunner[runnerID] ?? []
    }

    func activeCount(of runnerID: String) -> Int {
        activeByRunner[runnerID]?.count ?? 0
    }

    static func isActive(_ job: Job) -> Bool {
        job.status == .assigned || job.status == .running
    }
}
