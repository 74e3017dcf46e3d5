import AutoGitCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One supervised model-server process, in a process group of its own, so a stop signals everything it started.
///
/// A spawned process is the server's child: a dedicated thread waits for it (`waitpid`), and one thread per output
/// stream reads it with blocking `read()` into the instance's ``InstanceLog``. An adopted process (found running
/// after a server restart) is not a child: its exit is noticed by polling `/proc`, and its output is not captured.
final class InstanceProcess: Sendable {
    /// How the process ended.
    enum Exit: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        /// An adopted process ended; its status went to whoever reaped it.
        case vanished

        init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }

        var isSuccess: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "killed by signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
            case .vanished: "exited"
            }
        }

        private static func signalName(_ signal: Int32) -> String? {
            switch signal {
            case SIGHUP: "SIGHUP"
            case SIGINT: "SIGINT"
            case SIGABRT: "SIGABRT"
            case SIGKILL: "SIGKILL"
            case SIGSEGV: "SIGSEGV"
            case SIGTERM: "SIGTERM"
            default: nil
            }
        }
    }

    let pid: pid_t
    let processGroup: pid_t
    /// `/proc/<pid>/stat` start time in clock ticks after boot: with the pid, names this process for good.
    let startTicks: UInt64?
    let isAdopted: Bool
    private let state = Mutex(State())

    private struct State {
        var exit: Exit?
        var waiters: [UUID: CheckedContinuation<Exit?, Never>] = [:]
        var cancelledWaiters: Set<UUID> = []
        /// Read ends of the output sockets whose threads still run.
        var openOutputs: Set<Int32> = []
    }

    private init(pid: pid_t, processGroup: pid_t, startTicks: UInt64?, isAdopted: Bool) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTicks = startTicks
        self.isAdopted = isAdopted
    }

    // MARK: Starting

    /// Starts `arguments` (`arguments[0]` an absolute path) with exactly `environment`, stdin from `/dev/null` and
    /// stdout/stderr into `log`, in a new process group, with default signal dispositions and an empty signal mask.
    ///
    /// Output goes through `AF_UNIX` stream socket pairs rather than pipes: they are created close-on-exec in one
    /// call (Swift's Glibc lacks `pipe2`), so no other child spawned at the same moment inherits them, and
    /// `shutdown()` can end a blocked read.
    static func spawn(arguments: [String], environment: [String: String], log: InstanceLog) throws(ServerError) -> InstanceProcess {
        precondition(!arguments.isEmpty, "spawn needs a program")
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard makeSocketPair(&output), makeSocketPair(&errors) else {
            let reason = String(cString: strerror(errno))
            for descriptor in output + errors { InstanceSyscalls.close(descriptor) }
            throw InstanceErrors.spawnFailed(arguments[0], reason)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(truncatingIfNeeded: POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, Int32(signal)) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        InstanceSyscalls.close(output[1])
        InstanceSyscalls.close(errors[1])
        guard result == 0 else {
            InstanceSyscalls.close(output[0])
            InstanceSyscalls.close(errors[0])
            throw InstanceErrors.spawnFailed(arguments[0], String(cString: strerror(result)))
        }

        let process = InstanceProcess(pid: pid, processGroup: pid, startTicks: ProcFS.stat(pid)?.startTicks, isAdopted: false)
        let (outputReader, errorReader) = (output[0], errors[0])
        process.state.withLock { $0.openOutputs = [outputReader, errorReader] }
        process.startThread("autogit-instance-out") { process.pump(outputReader, stream: .stdout, into: log) }
        process.startThread("autogit-instance-err") { process.pump(errorReader, stream: .stderr, into: log) }
        process.startThread("autogit-instance-wait") { process.waitForChild() }
        return process
    }

    /// Supervises a process this server did not start (found after a restart); its exit is noticed by polling.
    static func adopt(pid: pid_t, processGroup: pid_t, startTicks: UInt64?) -> InstanceProcess {
        let process = InstanceProcess(pid: pid, processGroup: processGroup, startTicks: startTicks, isAdopted: true)
        process.startThread("autogit-instance-poll") {
            while !ProcFS.isGone(pid, startTicks: startTicks) { usleep(100_000) }
            process.finish(.vanished)
        }
        return process
    }

    /// Makes the child start with only stdin, stdout and stderr. Descriptors that other parts of the server opened
    /// without close-on-exec (a `Foundation.Pipe` of another child, at this very moment) would otherwise live on in
    /// the model server for its whole life, and whoever reads the other end would never see end-of-file.
    ///
    /// glibc 2.34 has `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not declare; it is
    /// looked up at run time. Without it, every descriptor above 2 in this process is marked close-on-exec first.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = addCloseFrom, closeFrom(&actions, 3) == 0 { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let descriptor = Int32(name), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static let addCloseFrom: AddCloseFrom? = {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
        #else
        return nil
        #endif
    }()

    private static func makeSocketPair(_ pair: inout [Int32]) -> Bool {
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        return pair.withUnsafeMutableBufferPointer { socketpair(AF_UNIX, type, 0, $0.baseAddress) } == 0
    }

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    // MARK: Threads

    private func waitForChild() {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
        finish(result == pid ? Exit(waitStatus: status) : .vanished)
    }

    /// Reads one output stream to its end, a line at a time (lines longer than 16 KiB are split).
    private func pump(_ descriptor: Int32, stream: LogStream, into log: InstanceLog) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var line: [UInt8] = []
        func emit() {
            if line.last == 0x0D { line.removeLast() }
            log.append(String(decoding: line, as: UTF8.self), stream: stream)
            line.removeAll(keepingCapacity: true)
        }
        while true {
            let count = InstanceSyscalls.read(descriptor, into: &buffer)
            if count <= 0 { break }
            var start = 0
            while start < count {
                if let newline = buffer[start..<count].firstIndex(of: 0x0A) {
                    line.append(contentsOf: buffer[start..<newline])
                    emit()
                    start = newline + 1
                } else {
                    line.append(contentsOf: buffer[start..<count])
                    start = count
                }
                if line.count >= 16_384 { emit() }
            }
        }
        if !line.isEmpty { emit() }
        state.withLock { state in
            state.openOutputs.remove(descriptor)
            InstanceSyscalls.close(descriptor)
        }
    }

    private func finish(_ exit: Exit) {
        let waiters = state.withLock { state in
            guard state.exit == nil else { return [CheckedContinuation<Exit?, Never>]() }
            state.exit = exit
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }

    // MARK: Using

    /// How the process ended, or nil while it runs.
    var exit: Exit? { state.withLock { $0.exit } }

    /// Waits until the process has ended; nil when the waiting task is cancelled first.
    func waitForExit() async -> Exit? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Exit?, Never>) in
                let immediate: Exit?? = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil { return .some(nil) }
                    if let exit = state.exit { return .some(exit) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Exit?, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits up to `timeout` for the process to end; nil when it still runs.
    func waitForExit(timeout: Duration) async -> Exit? {
        if let exit { return exit }
        return await withTaskGroup(of: Exit?.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? exit
        }
    }

    /// Sends `signal` to the whole process group (the program and whatever it started).
    func signalGroup(_ signal: Int32) {
        guard processGroup > 1 else { return }
        kill(-processGroup, signal)
    }

    /// Ends output capture as a crashed server would: the process's next writes fail with `EPIPE`. For tests.
    func detachOutput() {
        state.withLock { state in
            for descriptor in state.openOutputs { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }
}
