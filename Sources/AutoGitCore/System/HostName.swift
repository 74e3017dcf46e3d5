#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This machine's host name as `gethostname` gives it, unqualified and unresolved.
///
/// Agents register with it and the server compares it, so both must read it the same way: Foundation's
/// `ProcessInfo.hostName` may resolve a fully qualified name instead.
public enum HostName {
    /// The host name, or `localhost` when the system has none.
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
