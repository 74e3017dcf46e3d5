/// Places queued jobs on runners: which runner takes which job, with which GPUs. Pure and deterministic: no I/O,
/// no clock, no randomness, and the same jobs and runners give the same plan whatever order they come in, so the
/// engine can run a pass on every change and tests can replay one.
///
/// One pass:
/// 1. **Queue order.** Jobs are taken by priority (higher first), then submission time (earlier first), then id.
/// 2. **Matching.** A job may go only to a runner that accepts jobs, has every label it requires
///    (case-insensitive), its architecture when it names one, a free job slot under the runner's concurrency, and
///    enough free healthy GPUs of the type it asks for (a case-insensitive family match: `a100` matches
///    `NVIDIA A100-SXM4-80GB`, see ``GPU/matches(type:)``) with at least its minimum memory. A job pinned to a
///    runner (`requirements.runner_id`) goes there or nowhere.
/// 3. **Best fit.** Among matching runners the job goes to the one with the fewest free GPUs it could use that
///    still hold it, so partly used runners fill up first and whole runners stay free for jobs that need many
///    GPUs. A job without GPUs prefers runners with the fewest free GPUs (CPU-only runners first). Ties go to the
///    runner whose largest GPU is smallest, then to the lower id. On the runner the job gets the free GPUs with
///    the least memory that qualifies, lower indices first.
/// 4. **Reservation with backfill.** When a GPU job fits nowhere now although some runner matches it, the pass
///    reserves the matching runner closest to fitting it (most free usable GPUs, then a free slot, then the
///    order above): that runner's free GPUs the job could use, and one job slot, are held for it, so jobs behind it
///    in the queue cannot take them. (No reservation is made where it would hold no GPU, nor on a runner that
///    could fit the job only with GPUs a model-serving instance holds: an instance runs until someone stops it.)
///    Jobs behind it still *backfill* everything else, including the reserved runner's other GPUs and slots. The
///    reserved runner only gains free GPUs from pass to pass (nothing else may take them), so a large job waits at
///    most until that runner's running jobs end: a stream of small jobs cannot starve it. At most one reservation is made per distinct set of requirements and at most
///    ``Configuration-swift.struct/maxReservations`` per pass, so a backlog of blocked large jobs cannot idle the
///    fleet.
///
/// Cost: sorting the queue, plus for each distinct set of requirements one scan of the runners; each placement
/// then costs a few heap operations per requirement set its runner matches. Within a pass free capacity only
/// shrinks, so once one job of a requirement set fails to fit, the rest of that set are skipped at once.
///
/// ```swift
/// let plan = Scheduler().place(queued, on: capacities)
/// for assignment in plan.assignments { ... }   // hand each job to its runner with assignment.gpuIndices
/// ```
public struct Scheduler: Sendable {
    /// Tuning of a pass.
    public struct Configuration: Sendable, Hashable {
        /// The most reservations one pass makes; 0 turns reservations off (pure greedy backfill, where a large job
        /// can starve behind small ones). Default 16.
        public var maxReservations: Int

        public init(maxReservations: Int = 16) {
            self.maxReservations = maxReservations
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Places `jobs` on `runners` and returns the plan: every job is either assigned (with its GPU indices) or
    /// left queued with a reason. Neither argument is changed; the caller applies the plan.
    public func place(_ jobs: [QueuedJob], on runners: [RunnerCapacity]) -> SchedulingPlan {
        var pass = SchedulingPass(runners: runners, maxReservations: configuration.maxReservations)
        return pass.place(jobs)
    }
}
