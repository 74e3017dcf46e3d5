import AutoGitCore

/// Slurm's job states (`squeue %T`) as instance states.
enum SlurmJobState {
    /// The instance state for a Slurm job state: pending and configuring jobs are `creating`, running ones
    /// `running`, completing ones `deleting`; `FAILED`, `NODE_FAIL`, `BOOT_FAIL` and `OUT_OF_MEMORY` are `failed`,
    /// `PREEMPTED` is `preempted`; jobs that ended otherwise (completed, cancelled, timed out) are `gone`.
    /// A suspended job still holds its allocation and counts as `running`. A state this table does not know is kept
    /// as `.unknown` in lower case.
    static func instanceState(_ slurmState: String) -> FleetingInstanceState {
        let state = slurmState.trimmingCharacters(in: .whitespaces).uppercased()
        // Newer Slurm may list several flags ("PENDING,REQUEUED"); the first is the base state.
        let base = state.split(separator: ",").first.map(String.init) ?? state
        switch base {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "POWER_UP_NODE":
            return .creating
        case "RUNNING", "RESIZING", "SIGNALING", "SUSPENDED", "STOPPED", "UPDATE_DB":
            return .running
        case "COMPLETING", "STAGE_OUT":
            return .deleting
        case "FAILED", "NODE_FAIL", "BOOT_FAIL", "OUT_OF_MEMORY", "SPECIAL_EXIT":
            return .failed
        case "PREEMPTED":
            return .preempted
        case "COMPLETED", "CANCELLED", "TIMEOUT", "DEADLINE", "REVOKED":
            return .gone
        default:
            return .unknown(base.lowercased())
        }
    }
}
