import AutoGitFleeting
import Foundation

@testable import AutoGitFleeting

/// Processes on this machine that carry a provider's tag: how SSH tests (whose "remote" host is this machine) check
/// that nothing was left behind, and clean up when a test failed half-way.
enum TaggedProcesses {
    static func pids(provider: String) -> [Int32] {
        ProcessInspector.allPIDs().filter { pid in
            guard pid != getpid(), ProcessInspector.snapshot(pid: pid)?.isAlive == true else { return false }
            return ProcessInspector.environment(pid: pid)?[FleetingTags.provider] == provider
        }
    }

    /// SIGKILLs every live process tagged with `provider`.
    static func killAll(provider: String) {
        for pid in pids(provider: provider) { kill(pid, SIGKILL) }
    }
}
