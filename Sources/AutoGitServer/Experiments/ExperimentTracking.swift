import AutoGitCore
import Foundation

/// The experiments side of a running server: projects and runs, their metric files, versioned artifacts, and the
/// link from jobs to runs.
///
/// Owns the ``BlockingIO`` threads that do its file work, so ``shutdown()`` must be called when the server stops.
final class ExperimentTracking: Sendable {
    let runs: ExperimentStore
    let metrics: MetricStore
    let artifacts: ArtifactStore
    let io: BlockingIO

    /// - Parameters:
    ///   - dataDirectory: the server's data directory; metrics go to `metrics/`, artifact contents to `artifacts/`.
    ///   - maxArtifactBytes: the largest artifact version accepted (413 above it).
    init(dataDirectory: String, store: DurableStore, maxArtifactBytes: Int) throws(ServerError) {
        let io = BlockingIO(name: "autogit-experiments-io")
        do {
            self.io = io
            runs = ExperimentStore(store: store)
            metrics = try MetricStore(directory: dataDirectory + "/metrics", io: io)
            artifacts = try ArtifactStore(
                directory: dataDirectory + "/artifacts", store: store, io: io, maxVersionBytes: maxArtifactBytes)
        } catch {
            io.shutdown()
            throw error
        }
    }

    func shutdown() {
        io.shutdown()
    }

    // MARK: Jobs and runs

    /// Checks a submitted job's `experiment` and chooses the id of the run to create for it, so the job is stored
    /// (and handed to its runner) naming its run. Throws 422 naming `experiment.…` for a bad link and 404
    /// `RUN_NOT_FOUND` for a run that does not exist.
    func prepare(_ spec: JobSpec) async throws(ServerError) -> JobSpec {
        guard var experiment = spec.experiment else { return spec }
        if let project = experiment.project { try ExperimentStore.validateProjectName(project, field: "experiment.project") }
        if let name = experiment.name { try ExperimentStore.validateRunName(name, field: "experiment.name") }
        try ExperimentStore.validateTags(experiment.tags, field: "experiment.tags")
        if let runID = experiment.runID {
            guard let run = await runs.existingRun(runID), !run.isDeleted else {
                throw ServerError(
                    .runNotFound, status: 404, "Run '\(runID)' (experiment.run_id) not found",
                    details: ["run_id": .string(runID), "field": "experiment.run_id"])
            }
            experiment.project = run.project
        } else {
            guard experiment.project != nil else {
                throw .invalidField("experiment.project", "name the project to create the job's run in, or give experiment.run_id")
            }
            experiment.runID = await runs.reserveRunID()
        }
        var spec = spec
        spec.experiment = experiment
        return spec
    }

    /// Creates the run chosen by ``prepare(_:)`` for a job now stored, or links an existing run to it.
    func attach(_ job: Job) async throws(ServerError) {
        guard let experiment = job.spec.experiment, let runID = experiment.runID else { return }
        if await runs.existingRun(runID) != nil {
            _ = try await runs.modifyRun(runID) { run in
                run.jobID = job.id
                run.params.merge(experiment.params) { _, new in new }
                if run.status != .running && !job.status.isFinal { run.status = .running }
            }
        } else {
            let request = RunCreateRequest(
                project: experiment.project ?? "default", name: experiment.name ?? job.name, params: experiment.params,
                tags: experiment.tags, jobID: job.id)
            _ = try await runs.createRun(request, id: runID)
        }
    }
}
