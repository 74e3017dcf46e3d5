#if os(Linux)
import CAutoGitSystem
import Dispatch
import Glibc
import Synchronization

/// One thread with its own epoll set: it owns a share of the connections, runs their I/O and timers, and is the
/// task executor for their handlers, so a handler that does not suspend elsewhere runs without a thread hop.
///
/// Thread confinement: everything not behind `pending` or an atomic is touched only on the loop thread. Other
/// threads reach a loop through `execute(_:)` and `enqueue(_:)`, which wake it with its eventfd.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    let index: Int
    let context: ServerContext
    private let epollFD: Int32
    private let wakeFD: Int32

    private struct Pending {
        var jobs: [UnownedJob] = []
        var work: [@Sendable () -> Void] = []
        var wakeRequested = false
        var stopped = false
    }

    private let pending = Mutex(Pending())
    /// The loop thread's pthread id, for "am I on the loop?" checks that skip the eventfd write.
    private let threadID = Atomic<UInt>(0)
    private let exited = Atomic<Bool>(false)
    /// Open (counted) connections on this loop, for shutdown's drain wait.
    let openConnections = Atomic<Int>(0)
    /// Runs jobs that arrive after the loop has stopped (a straggling task), serially, so they still finish.
    private let fallbackQueue = DispatchQueue(label: "autogit.http.loop.fallback")

    // Loop-thread state.
    private var thread: pthread_t?
    private var running = true
    private(set) var isDraining = false
    private var connections: [Int32: Connection] = [:]
    private var generation: UInt32 = 0
    private var listenerFD: Int32 = -1
    private var listenerPausedUntil: UInt64 = 0
    private var nextLoopForConnection = 0
    /// Every loop of the server, on the accepting loop only; connections are handed out round-robin.
    private var peers: [EventLoop] = []
    let scratch: UnsafeMutableRawBufferPointer
    var date = HTTPDate()
    private let tickNanoseconds: UInt64
    private var nextSweep: UInt64 = 0

    private static let wakeTag = UInt64.max
    private static let listenerTag = UInt64.max - 1

    init(index: Int, context: ServerContext) throws {
        self.index = index
        self.context = context
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw HTTPServerError("epoll_create1 failed", errorNumber: errno) }
        wakeFD = cautogit_eventfd_nonblocking()
        guard wakeFD >= 0 else {
            close(epollFD)
            throw HTTPServerError("eventfd failed", errorNumber: errno)
        }
        _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_ADD, wakeFD, CAUTOGIT_EPOLLIN, Self.wakeTag)
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let configuration = context.configuration
        let shortest = [
            configuration.headerReadTimeout, configuration.idleTimeout, configuration.bodyReadTimeout,
            configuration.sseHeartbeatInterval, configuration.writeTimeout, configuration.requestTimeout ?? .seconds(3600),
        ].min()!
        tickNanoseconds = min(max(shortest.nanoseconds / 8, 5_000_000), 250_000_000)
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        scratch.deallocate()
    }

    // MARK: Cross-thread entry points

    /// Runs `work` on the loop thread soon (never inline, so callers never re-enter connection code).
    func execute(_ work: @escaping @Sendable () -> Void) {
        let (shouldWake, stopped) = pending.withLock { state -> (Bool, Bool) in
            if state.stopped { return (false, true) }
            state.work.append(work)
            return (wakeIfNeeded(&state), false)
        }
        if stopped {
            fallbackQueue.async(execute: work)
        } else if shouldWake {
            wake()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (shouldWake, stopped) = pending.withLock { state -> (Bool, Bool) in
            if state.stopped { return (false, true) }
            state.jobs.append(job)
            return (wakeIfNeeded(&state), false)
        }
        if stopped {
            let executor = asUnownedTaskExecutor()
            fallbackQueue.async { job.runSynchronously(on: executor) }
        } else if shouldWake {
            wake()
        }
    }

    /// Starts the loop thread; `listenerFD` is accepted from on this loop only (it hands connections round-robin).
    func start(listenerFD: Int32?, peers: [EventLoop]) throws {
        if let listenerFD {
            self.listenerFD = listenerFD
            self.peers = peers
            _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_ADD, listenerFD, CAUTOGIT_EPOLLIN, Self.listenerTag)
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, eventLoopThreadMain, box)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(box).release()
            throw HTTPServerError("pthread_create failed", errorNumber: result)
        }
        self.thread = thread
    }

    /// Stops accepting and closes connections that are between requests; in-flight ones finish with `Connection: close`.
    func beginDraining() {
        execute { self.drain() }
    }

    /// Closes every connection now, cancelling their handlers.
    func closeAll() {
        execute {
            for connection in Array(self.connections.values) { connection.close() }
        }
    }

    /// Ends the loop thread and waits for it.
    func stop() async {
        execute { self.running = false }
        while !exited.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func wakeIfNeeded(_ state: inout Pending) -> Bool {
        if isOnLoopThread || state.wakeRequested { return false }
        state.wakeRequested = true
        return true
    }

    private var isOnLoopThread: Bool {
        threadID.load(ordering: .relaxed) == UInt(pthread_self())
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: The loop

    func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        var events = [cautogit_epoll_event](repeating: cautogit_epoll_event(), count: 256)
        nextSweep = now() + tickNanoseconds
        while running {
            let hasWork = pending.withLock { !$0.jobs.isEmpty || !$0.work.isEmpty }
            let current = now()
            let timeout = hasWork ? 0 : Int32(clamping: (nextSweep > current ? nextSweep - current : 0) / 1_000_000 + 1)
            let count = events.withUnsafeMutableBufferPointer {
                cautogit_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count > 0 {
                for event in events[0..<Int(count)] {
                    handle(event)
                }
            }
            runPending()
            if now() >= nextSweep {
                sweep()
                nextSweep = now() + tickNanoseconds
            }
        }
        finishOnThread()
    }

    private func handle(_ event: cautogit_epoll_event) {
        switch event.tag {
        case Self.wakeTag:
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
        case Self.listenerTag:
            acceptConnections()
        default:
            let fd = Int32(truncatingIfNeeded: event.tag & 0xFFFF_FFFF)
            guard let connection = connections[fd], connection.tag == event.tag else { return }
            connection.handle(events: event.events)
        }
    }

    /// Runs queued jobs and work a bounded number of rounds, so I/O is never starved by a busy task.
    private func runPending() {
        let executor = asUnownedTaskExecutor()
        for _ in 0..<8 {
            let (jobs, work) = pending.withLock { state -> ([UnownedJob], [@Sendable () -> Void]) in
                state.wakeRequested = false
                defer {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.work.removeAll(keepingCapacity: true)
                }
                return (state.jobs, state.work)
            }
            if jobs.isEmpty && work.isEmpty { return }
            for job in jobs { job.runSynchronously(on: executor) }
            for item in work { item() }
        }
    }

    private func finishOnThread() {
        peers = []
        for connection in Array(connections.values) { connection.close() }
        if listenerFD >= 0 {
            _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_DEL, listenerFD, 0, 0)
            listenerFD = -1
        }
        // Later arrivals run on the fallback queue; drain what is already here first.
        let (jobs, work) = pending.withLock { state -> ([UnownedJob], [@Sendable () -> Void]) in
            state.stopped = true
            return (state.jobs, state.work)
        }
        let executor = asUnownedTaskExecutor()
        for item in work { fallbackQueue.async(execute: item) }
        for job in jobs { fallbackQueue.async { job.runSynchronously(on: executor) } }
        exited.store(true, ordering: .releasing)
    }

    // MARK: Connections

    func now() -> UInt64 { cautogit_monotonic_ns() }

    private func acceptConnections() {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cautogit_accept_nonblocking(listenerFD, $0, &length) }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop watching the listener briefly rather than spin on it.
                    _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_DEL, listenerFD, 0, 0)
                    listenerPausedUntil = now() + 100_000_000
                    return
                default: return
                }
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let address = SocketAddress.describe(storage)
            if isDraining {
                close(fd)
                continue
            }
            if !context.acquireConnectionSlot() {
                adopt(fd: fd, remoteAddress: address, counted: false)
                continue
            }
            let target = peers[nextLoopForConnection % peers.count]
            nextLoopForConnection &+= 1
            if target === self {
                adopt(fd: fd, remoteAddress: address, counted: true)
            } else {
                target.execute { target.adopt(fd: fd, remoteAddress: address, counted: true) }
            }
        }
    }

    /// Takes ownership of an accepted socket. An uncounted one is over the connection limit and is refused.
    private func adopt(fd: Int32, remoteAddress: String, counted: Bool) {
        if isDraining || !running {
            close(fd)
            if counted { context.releaseConnectionSlot() }
            return
        }
        generation &+= 1
        let tag = UInt64(UInt32(bitPattern: fd)) | UInt64(generation) << 32
        let connection = Connection(fd: fd, tag: tag, loop: self, remoteAddress: remoteAddress, counted: counted)
        connections[fd] = connection
        if counted { openConnections.add(1, ordering: .relaxed) }
        let interest = CAUTOGIT_EPOLLIN | CAUTOGIT_EPOLLOUT | CAUTOGIT_EPOLLRDHUP | CAUTOGIT_EPOLLET
        if cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_ADD, fd, interest, tag) != 0 {
            connection.close()
            return
        }
        if counted {
            connection.start()
        } else {
            connection.refuse()
        }
    }

    /// Called by a connection as it closes its socket.
    func forget(_ connection: Connection) {
        if let current = connections[connection.fd], current === connection {
            connections[connection.fd] = nil
        }
    }

    /// Called once per counted connection when it stops counting (closed, or lingering after its last response).
    func releaseCount() {
        openConnections.subtract(1, ordering: .relaxed)
        context.releaseConnectionSlot()
    }

    func connection(_ tag: UInt64) -> Connection? {
        let fd = Int32(truncatingIfNeeded: tag & 0xFFFF_FFFF)
        guard let connection = connections[fd], connection.tag == tag else { return nil }
        return connection
    }

    private func drain() {
        isDraining = true
        if listenerFD >= 0 {
            _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_DEL, listenerFD, 0, 0)
            listenerFD = -1
        }
        for connection in Array(connections.values) { connection.drain() }
    }

    private func sweep() {
        let current = now()
        if listenerPausedUntil != 0 && current >= listenerPausedUntil && listenerFD >= 0 {
            listenerPausedUntil = 0
            _ = cautogit_epoll_ctl(epollFD, CAUTOGIT_EPOLL_CTL_ADD, listenerFD, CAUTOGIT_EPOLLIN, Self.listenerTag)
        }
        for connection in Array(connections.values) { connection.checkTimers(now: current) }
    }
}

/// The loop thread's entry point: a plain non-isolated C-convention function (never a closure from main.swift,
/// which Swift 6 would isolate to the main actor and trap).
private func eventLoopThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let loop = Unmanaged<EventLoop>.fromOpaque(argument).takeRetainedValue()
    loop.run()
    return nil
}
#endif
