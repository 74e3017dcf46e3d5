import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts child processes with `posix_spawn`: standard streams wired to given descriptors, every other descriptor
/// closed, signal dispositions and mask reset (a server ignores SIGPIPE; its children must not), and the child in a
/// new process group or session so that the whole tree can be signalled at once.
enum ProcessSpawner {
    #if canImport(Darwin)
    // Darwin's spawn types are optional opaque pointers that `*_init` allocates.
    typealias FileActions = posix_spawn_file_actions_t?
    typealias Attributes = posix_spawnattr_t?
    #else
    typealias FileActions = posix_spawn_file_actions_t
    typealias Attributes = posix_spawnattr_t
    #endif

    enum Isolation {
        /// A new process group led by the child (`kill(-pid, …)` reaches its tree).
        case processGroup
        /// A new session (and group) led by the child: also detached from any terminal, and recognisable later as an
        /// agent because its session id equals its pid.
        case session
    }

    /// Spawns `executable` (a path, or a name looked up on this process's `PATH`) and returns its pid.
    /// Throws `PLUGIN_UNAVAILABLE` when the program cannot be started (not found, not executable).
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], standardInput: Int32, standardOutput: Int32,
        standardError: Int32, isolation: Isolation, workingDirectory: String? = nil
    ) throws -> pid_t {
        var actions = Self.emptyFileActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        closeDescriptorsFromThree(&actions)
        if let workingDirectory { addChangeDirectory(&actions, workingDirectory) }

        var attributes = Self.emptyAttributes()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        switch isolation {
        case .processGroup:
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        case .session:
            flags |= spawnSetSessionFlag
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var result: Int32 = 0
        // ETXTBSY: a script written a moment ago is still open for writing in a child that another thread forked
        // before that child closed its descriptors. It passes within milliseconds; retry briefly.
        for attempt in 0..<20 {
            if attempt > 0 { usleep(10_000) }
            result = spawnOnce(executable, &pid, &actions, &attributes, argv, envp)
            if result != ETXTBSY { break }
        }
        guard result == 0 else {
            throw CoreError(.pluginUnavailable, "Cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private static func spawnOnce(
        _ executable: String, _ pid: inout pid_t, _ actions: inout FileActions,
        _ attributes: inout Attributes, _ argv: [UnsafeMutablePointer<CChar>?], _ envp: [UnsafeMutablePointer<CChar>?]
    ) -> Int32 {
        (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                let argvPointer = UnsafeMutablePointer(mutating: argvBuffer.baseAddress!)
                let envpPointer = UnsafeMutablePointer(mutating: envpBuffer.baseAddress!)
                if executable.contains("/") {
                    return posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envpPointer)
                }
                return posix_spawnp(&pid, executable, &actions, &attributes, argvPointer, envpPointer)
            }
        }
    }

    #if canImport(Darwin)
    private static func emptyFileActions() -> FileActions { nil }
    private static func emptyAttributes() -> Attributes { nil }
    #else
    private static func emptyFileActions() -> FileActions { posix_spawn_file_actions_t() }
    private static func emptyAttributes() -> Attributes { posix_spawnattr_t() }
    #endif

    /// Creates a pipe whose two ends close on exec (the child gets only what `spawn` duplicates onto 0, 1 and 2).
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw CoreError(.pluginUnavailable, "Cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return (ends[0], ends[1])
    }

    /// Splits a `waitpid` status into the shell's exit status and the terminating signal.
    static func decode(waitStatus: Int32) -> (status: Int32, signal: Int32?) {
        let signal = waitStatus & 0x7f
        if signal == 0 { return ((waitStatus >> 8) & 0xff, nil) }
        return (128 + signal, signal)
    }

    #if os(Linux)
    /// glibc's `POSIX_SPAWN_SETSID` (2.26+), which Swift's Glibc module does not export without `_GNU_SOURCE`.
    private static let spawnSetSessionFlag: Int32 = 0x80

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), looked up at run time for the same reason.
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: CloseFrom.self)
    }
    private static let changeDirectory: ChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: ChangeDirectory.self)
    }

    private static func closeDescriptorsFromThree(_ actions: inout FileActions) {
        if let closeFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        // Older glibc: close what is open now (descriptors opened concurrently carry FD_CLOEXEC or leak).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in open { if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) } }
    }

    private static func addChangeDirectory(_ actions: inout FileActions, _ path: String) {
        if let changeDirectory { _ = changeDirectory(&actions, path) }
    }
    #else
    private static let spawnSetSessionFlag: Int32 = 0x400  // POSIX_SPAWN_SETSID on Darwin

    private static func closeDescriptorsFromThree(_ actions: inout FileActions) {
        // Darwin's POSIX_SPAWN_CLOEXEC_DEFAULT would be the tool; descriptors AutoGit opens carry FD_CLOEXEC.
    }

    private static func addChangeDirectory(_ actions: inout FileActions, _ path: String) {
        _ = posix_spawn_file_actions_addchdir_np(&actions, path)
    }
    #endif
}
