import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending, with the few POSIX calls durability needs: write everything, sync the data,
/// truncate a torn tail. Writes are not thread-safe: one owner (the store's writer thread, the job log actor) makes
/// them. ``sync()`` reads only the descriptor, so it may run on another thread while the owner writes more.
final class DurableFile: @unchecked Sendable {
    let path: String
    let descriptor: Int32
    private(set) var size: Int

    /// Opens (creating when missing) `path` for appending.
    init(appendingTo path: String) throws(ServerError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storeUnavailable("cannot open \(path): \(DurableFile.lastError())") }
        descriptor = fd
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`, retrying short writes and interrupts.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ServerError) {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .storeUnavailable("cannot write \(path): \(DurableFile.lastError())")
            }
            offset += written
        }
        size += bytes.count
    }

    func write(_ bytes: [UInt8]) throws(ServerError) {
        var failure: ServerError?
        bytes.withUnsafeBytes { buffer in
            do throws(ServerError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Forces the written data to stable storage; a 2xx answer waits for this.
    func sync() throws(ServerError) {
        #if canImport(Glibc)
        let result = fdatasync(descriptor)
        #else
        let result = fsync(descriptor)
        #endif
        guard result == 0 else { throw .storeUnavailable("cannot sync \(path): \(DurableFile.lastError())") }
    }

    /// Cuts the file to `length` bytes (dropping a torn tail) and syncs.
    static func truncate(_ path: String, to length: Int) throws(ServerError) {
        guard systemTruncate(path, off_t(length)) == 0 else {
            throw .storeUnavailable("cannot truncate \(path): \(lastError())")
        }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Syncs a directory so that files created, renamed or removed in it survive a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Writes `bytes` to `path` atomically: a temporary file, synced, renamed over `path`, directory synced.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ServerError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        do {
            let file = try DurableFile(appendingTo: temporary)
            try file.write(bytes)
            try file.sync()
        }
        guard rename(temporary, path) == 0 else {
            throw .storeUnavailable("cannot rename \(temporary): \(lastError())")
        }
        syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

// The module-level `write` and `truncate` are shadowed by the methods above.
#if canImport(Glibc)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
private func systemTruncate(_ path: String, _ length: off_t) -> Int32 { Glibc.truncate(path, length) }
#else
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
private func systemTruncate(_ path: String, _ length: off_t) -> Int32 { Darwin.truncate(path, length) }
#endif
