/// Hands out ports from the configured range to instances that did not name one.
///
/// A port belongs to its instance from creation until deletion, so it is never handed out twice; a port is only
/// handed out when nothing listens on it either. The search resumes after the last port given, so a port freed by
/// a deletion is not reused at once (a client may still be talking to the old instance's address).
struct InstancePortAllocator: Sendable {
    let range: ClosedRange<Int>
    private var next: Int

    init(range: ClosedRange<Int>) {
        self.range = range
        next = range.lowerBound
    }

    /// A port of the range that no instance holds (`taken`) and `isFree` accepts, or nil when none is left.
    mutating func allocate(excluding taken: Set<Int>, isFree: (Int) -> Bool = LoopbackSocket.isFree(port:)) -> Int? {
        let count = range.count
        for offset in 0..<count {
            let port = range.lowerBound + (next - range.lowerBound + offset) % count
            guard !taken.contains(port), isFree(port) else { continue }
            next = port == range.upperBound ? range.lowerBound : port + 1
            return port
        }
        return nil
    }
}
