import CAutoGitSystem
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started in a process group of its own, with its standard output and error on pipes.
///
/// The child is spawned with `posix_spawn` and `POSIX_SPAWN_SETPGROUP`, so it leads a new group whose id is its pid;
/// everything it starts stays in that group unless it leaves on purpose. ``signal(_:)`` and ``terminate(grace:)``
/// reach the whole group, so a `sleep` started by a step dies with it. The child starts with default signal
/// handling and an empty signal mask whatever the agent has set up (an ignored SIGPIPE or SIGTERM is otherwise
/// inherited), with standard input on `/dev/null`, and with no descriptor of the agent's but its three standard ones
/// (`posix_spawn_file_actions_addclosefrom_np`).
///
/// The caller reads ``standardOutput`` and ``standardError`` (each once, to end of file, then closes them) and calls
/// ``waitForExit()`` once.
final class ProcessGroup: Sendable {
    /// The group leader's pid, which is also the group's id.
    let pid: pid_t
    /// The read end of the child's standard output; owned by the caller.
    let standardOutput: Int32
    /// The read end of the child's standard error; owned by the caller.
    let standardError: Int32

    private init(pid: pid_t, standardOutput: Int32, standardError: Int32) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Starts `arguments[0]` (an absolute path) with `arguments` and exactly `environment`, in `workingDirectory`.
    ///
    /// - Throws: ``RunnerError`` `SPAWN_FAILED` when a pipe cannot be made or the program cannot be started.
    static func spawn(
        _ arguments: [String], environment: [String: String], workingDirectory: String
    ) throws(RunnerError)
        -> ProcessGroup
    {
        guard let program = arguments.first else { throw RunnerError(.spawnFailed, "no program to start") }
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard makePipe(&outputPipe) == 0 else { throw RunnerError(.spawnFailed, "pipe: \(errnoText())") }
        guard makePipe(&errorPipe) == 0 else {
            close(outputPipe[0])
            close(outputPipe[1])
            throw RunnerError(.spawnFailed, "pipe: \(errnoText())")
        }
        defer {
            // The child holds its own copies of the write ends; ours must close so end of file can arrive.
            close(outputPipe[1])
            close(errorPipe[1])
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // Descriptors another thread opened without close-on-exec (a Foundation pipe, a socket) must not leak into the
        // step: a leaked pipe end would keep that thread's reader from ever seeing end of file.
        closeInheritedDescriptors(&actions)
        guard addChangeDirectory(&actions, workingDirectory) == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw RunnerError(.spawnFailed, "cannot change to \(workingDirectory)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        sigdelset(&everySignal, SIGKILL)
        sigdelset(&everySignal, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        #if canImport(Darwin)
        let closeOnExecDefault = POSIX_SPAWN_CLOEXEC_DEFAULT
        #else
        let closeOnExecDefault: Int32 = 0
        #endif
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | closeOnExecDefault))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        // ETXTBSY: another thread had the program open for writing as some child was being spawned, which then
        // briefly held that descriptor. It clears at once; try again a few times.
        var attempts = 1
        while result == ETXTBSY && attempts < 20 {
            usleep(useconds_t(5_000 * attempts))
            attempts += 1
            result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw RunnerError(.spawnFailed, "cannot start \(program): \(String(cString: strerror(result)))")
        }
        return ProcessGroup(pid: pid, standardOutput: outputPipe[0], standardError: errorPipe[0])
    }

    /// Sends `signal` to every process in the group. Does nothing once the whole group is known to be gone.
    func signal(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Whether any process of the group still exists (zombies included).
    var hasMembers: Bool {
        kill(-pid, 0) == 0
    }

    /// Sends SIGTERM to the group, then SIGKILL after `grace` to whatever is left of it.
    func terminate(grace: Duration) async {
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        // Poll briefly rather than sleep the whole grace: most steps exit at once on SIGTERM.
        while ContinuousClock.now < deadline, hasLiveMembers {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if hasLiveMembers { signal(SIGKILL) }
    }

    /// Whether the group still has a member that is not a zombie (a zombie runs no code and holds no pipe).
    var hasLiveMembers: Bool {
        hasMembers && ProcessTable.hasLiveProcess(inGroup: pid)
    }

    /// Waits for the group leader to exit, on a thread of its own doing a blocking `waitpid`, and reaps it.
    func waitForExit() async -> ExitStatus {
        let pid = self.pid
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            BlockingThread.start(name: "autogit-wait-\(pid)") {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        return ExitStatus(waitStatus: status)
    }

    private static func makePipe(_ fds: inout [Int32]) -> Int32 {
        #if canImport(Glibc)
        return cautogit_pipe_cloexec(&fds)
        #else
        guard pipe(&fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
        #endif
    }

    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        _ = cautogit_spawn_file_actions_addclosefrom(&actions, 3)
        #endif
    }

    private static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ path: String) -> Int32 {
        #if canImport(Glibc)
        return cautogit_spawn_file_actions_addchdir(&actions, path)
        #else
        return posix_spawn_file_actions_addchdir_np(&actions, path)
        #endif
    }
}

/// How a process ended.
public enum ExitStatus: Sendable, Hashable {
    /// It called `exit` with this code.
    case exited(Int32)
    /// A signal killed it.
    case signalled(Int32)

    init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(signal)
        }
    }

    /// The shell's convention: the exit code, or 128 plus the signal number.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
