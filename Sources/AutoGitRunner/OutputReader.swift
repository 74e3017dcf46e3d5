import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one pipe of a child to end of file on a dedicated thread with blocking `read()`, and hands on its lines.
///
/// Lines end at `\n` (a `\r` before it is dropped); a line longer than `maxLineBytes` is handed on in pieces of that
/// size; a last line without a newline is handed on at end of file. Bytes that are not UTF-8 become U+FFFD. The
/// reader closes the descriptor when it is done and then signals `finished`.
enum OutputReader {
    static func start(
        _ fd: Int32, name: String, maxLineBytes: Int = 64 * 1024, finished: Latch, onLine: @escaping @Sendable (String) -> Void
    ) {
        BlockingThread.start(name: name) {
            readLines(fd, maxLineBytes: maxLineBytes, onLine: onLine)
            close(fd)
            finished.signal()
        }
    }

    /// The reading loop; runs on the calling thread until end of file or a read error.
    static func readLines(_ fd: Int32, maxLineBytes: Int, onLine: (String) -> Void) {
        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                if pending.isEmpty {
                    emit(chunk[start..<index], maxLineBytes: maxLineBytes, onLine: onLine)
                } else {
                    pending.append(contentsOf: chunk[start..<index])
                    emit(pending[...], maxLineBytes: maxLineBytes, onLine: onLine)
                    pending.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            pending.append(contentsOf: chunk[start..<count])
            // A line that never ends is handed on in pieces rather than held without bound.
            while pending.count >= maxLineBytes {
                onLine(String(decoding: pending[..<maxLineBytes], as: UTF8.self))
                pending.removeFirst(maxLineBytes)
            }
        }
        if !pending.isEmpty { emit(pending[...], maxLineBytes: maxLineBytes, onLine: onLine) }
    }

    private static func emit(_ bytes: ArraySlice<UInt8>, maxLineBytes: Int, onLine: (String) -> Void) {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        while line.count > maxLineBytes {
            onLine(String(decoding: line.prefix(maxLineBytes), as: UTF8.self))
            line = line.dropFirst(maxLineBytes)
        }
        onLine(String(decoding: line, as: UTF8.self))
    }
}
