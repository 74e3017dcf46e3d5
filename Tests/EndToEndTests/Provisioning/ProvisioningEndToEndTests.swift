import Testing

/// The provisioning end-to-end suites, one after the other: each runs a server with real plugins, agents and
/// sometimes a Slurm or an sshd, and running them all at once would take the machine from the tests beside them.
@Suite("provisioning end to end", .serialized)
struct ProvisioningEndToEndTests {}
