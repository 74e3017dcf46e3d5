#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's real terminal: whether a descriptor is a TTY, how wide it is, and raw writes and reads.
///
/// Commands never call this directly; they see a ``Console`` built from it, which tests replace.
enum Terminal {
    /// Columns used when there is no terminal to ask and `COLUMNS` is unset.
    static let defaultWidth = 100

    static func isTTY(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The window's width in columns (`TIOCGWINSZ`), or `nil` when `descriptor` is not a terminal.
    static func windowColumns(of descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The width to lay output out in: the window's on a TTY, else `COLUMNS`, else ``defaultWidth``.
    static func width(windowColumns: Int?, environment: [String: String]) -> Int {
        if let windowColumns, windowColumns > 0 { return windowColumns }
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return defaultWidth
    }

    /// Writes all of `text`, retrying short writes and interruptions; gives up silently on a closed pipe.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                pointer += written
                remaining -= written
            }
        }
    }

    /// Everything readable from `descriptor` until end of file.
    static func readAll(from descriptor: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}
