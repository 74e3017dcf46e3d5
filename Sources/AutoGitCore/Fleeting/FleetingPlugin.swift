/// How AutoGit provisions runners on some infrastructure: local processes, SSH hosts, Slurm, a cloud through an
/// external executable. Modelled on GitLab's fleeting interface, made GPU-aware.
///
/// The engine owns the decisions (the ``Autoscaler`` says when and what); a plugin only carries them out and
/// reports what exists. The contract every conformer keeps:
///
/// - **Idempotency.** ``initialize(_:)``, ``deprovision(ids:)``, ``list()``, ``status(id:)`` and ``connectInfo(id:)``
///   may be called again with the same arguments at any time, with the same effect: deprovisioning an instance that is
///   already gone reports it as removed, not as an error. ``provision(count:shape:)`` is *not* idempotent — every call
///   may create machines that cost money — so the engine never retries it blindly: after a failure it calls
///   ``list()`` and reconciles instead.
/// - **Partial success.** ``provision(count:shape:)`` returns the instances it did create even when it could not
///   create them all (fewer than `count`, possibly none); it throws only when it cannot say what it created.
///   ``deprovision(ids:)`` likewise returns the ids it removed; the ones missing from the answer are still there.
/// - **Duration.** A call should return within 60 s; provisioning returns once the instance is *requested*
///   (`creating`), not once the agent is up — the agent registering with the server is what makes it a runner.
///   The engine cancels a call that takes longer than its configured timeout and treats the outcome as unknown.
/// - **Reconciliation.** ``list()`` is the source of truth about what exists. The engine compares it with its own
///   view on start and periodically: instances it does not know are reported (never silently adopted or killed),
///   instances that vanished are marked `gone` and their runners' jobs re-queued.
/// - **Identity.** Every instance's agent registers with ``FleetingInstance/runnerName`` as its runner name, which
///   is how the engine ties a registered runner to the instance that carries it.
public protocol FleetingPlugin: Sendable {
    /// Validates the settings, checks the infrastructure is reachable, and says what this provider can do.
    /// Throws ``CoreError`` with code `PLUGIN_CONFIGURATION` for bad settings and `PLUGIN_UNAVAILABLE` when the
    /// infrastructure cannot be reached.
    func initialize(_ settings: PluginSettings) async throws -> ProviderInfo

    /// Requests `count` instances of `shape` and returns those actually requested (partial success allowed).
    func provision(count: Int, shape: ProvisionShape) async throws -> [FleetingInstance]

    /// Removes the instances and returns the ids that are removed (including ones already gone).
    func deprovision(ids: [String]) async throws -> [String]

    /// Every instance this provider currently has, as the infrastructure reports it.
    func list() async throws -> [FleetingInstance]

    /// The state of one instance; `.gone` for an id the infrastructure no longer knows.
    func status(id: String) async throws -> FleetingInstanceState

    /// How the agent on that instance is reached or started.
    func connectInfo(id: String) async throws -> ConnectInfo
}
