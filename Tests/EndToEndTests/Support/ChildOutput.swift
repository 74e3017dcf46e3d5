import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child's exit status, awaited without blocking a thread of the concurrency pool (the suites running beside a
/// test need those). `Process.terminationHandler` records it.
final class ExitStatus: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    /// The status once the child has ended, else nil.
    var status: Int32? { state.withLock { $0.status } }

    func record(_ status: Int32) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}

/// Lines a child wrote, shared with the thread reading them.
final class OutputLines: Sendable {
    let lines = Mutex<[String]>([])

    /// Reads `handle` to its end on a thread of its own with blocking reads (`readabilityHandler` loses output on
    /// Linux), line by line: each is kept and handed to `each`; `atEnd` runs at end of file. The thread holds the
    /// handle until then, so its descriptor cannot be closed (and its number reused) while it is read.
    func read(
        _ handle: FileHandle, each: @escaping @Sendable (String) -> Void = { _ in }, atEnd: @escaping @Sendable () -> Void = {}
    ) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                    each(line)
                }
            }
            atEnd()
        }
        thread.start()
    }
}
