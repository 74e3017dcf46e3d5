import AutoGitCore

extension ErrorCode {
    /// The infrastructure understood the request and refused it (Slurm: "Requested node configuration is not
    /// available"; a host pool with no free host). Retrying the same request will fail the same way until something
    /// changes, unlike `PLUGIN_UNAVAILABLE`.
    public static let pluginRejected: ErrorCode = "PLUGIN_REJECTED"
}
