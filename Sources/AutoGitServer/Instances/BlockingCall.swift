import Foundation

/// Runs blocking work (socket I/O, `/proc` scans, waiting for signals to land) on a thread of its own, so the
/// concurrency pool, which has one thread per core, never stalls on it.
enum BlockingCall {
    static func run<Result: Sendable>(_ name: String, _ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
