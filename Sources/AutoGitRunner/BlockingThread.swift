import Foundation

/// Threads for work that blocks in the kernel: `read()` on a child's pipe, `waitpid()`.
///
/// These must not run on the cooperative thread pool (they would starve it), and
/// `FileHandle.readabilityHandler` loses the tail of fast output on Linux. The entry point is a non-isolated
/// `@Sendable` function in this file: in Swift 6 a closure handed to a new thread from main-actor code traps.
enum BlockingThread {
    /// Starts `body` on a new detached thread named `name`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 256 * 1024
        thread.start()
    }
}
