import Foundation

/// Waits until `condition` holds, checking every `interval` (50 ms unless said otherwise), for at most `limit`;
/// returns whether it held. Tests assert on the outcome, never on how long it took. Conditions that ask a server
/// over HTTP should check less often, so that tests running beside them keep their share of the machine.
public func eventually(
    within limit: Duration = .seconds(20), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Runs `body`, then `cleanup` whether `body` threw or not (Swift has no async `defer`).
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    do {
        let value = try await body()
        await cleanup()
        return value
    } catch {
        await cleanup()
        throw error
    }
}
