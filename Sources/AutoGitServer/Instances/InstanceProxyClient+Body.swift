import Dispatch
import Foundation
import Synchronization

extension InstanceProxyClient {
    /// A streamed answer body: a thread reads the model server's socket and hands chunks over through a buffer of
    /// ``capacity`` chunks; the reader waits when the buffer is full, so the client's pace sets the read's pace.
    /// Ending the stream early (the client left) interrupts the read and closes the socket.
    struct Body: AsyncSequence, Sendable {
        typealias Element = [UInt8]

        static let capacity = 8

        private let chunks: AsyncThrowingStream<[UInt8], any Error>
        private let slots: DispatchSemaphore

        struct BrokenAnswer: Error, CustomStringConvertible {
            var description: String
        }

        /// Starts the reading thread; `leftover` is what arrived with the head.
        static func start(
            connection: UpstreamConnection, framing: Framing, leftover: [UInt8], onFinish: @escaping @Sendable () -> Void
        ) -> Body {
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
            let slots = DispatchSemaphore(value: capacity)
            let cancelled = CancelFlag()
            continuation.onTermination = { _ in
                cancelled.set()
                connection.interrupt()
            }
            let thread = Thread {
                let outcome = pump(connection, framing: framing, leftover: leftover, slots: slots, cancelled: cancelled) {
                    continuation.yield($0)
                }
                connection.close()
                switch outcome {
                case .success: continuation.finish()
                case .failure(let error): continuation.finish(throwing: error)
                }
                onFinish()
            }
            thread.name = "autogit-proxy-body"
            thread.start()
            return Body(chunks: chunks, slots: slots)
        }

        private init(chunks: AsyncThrowingStream<[UInt8], any Error>, slots: DispatchSemaphore) {
            self.chunks = chunks
            self.slots = slots
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: chunks.makeAsyncIterator(), slots: slots)
        }

        /// Set when the consumer has gone; the reading thread checks it while it waits for a buffer slot.
        final class CancelFlag: Sendable {
            private let value = Mutex(false)
            func set() { value.withLock { $0 = true } }
            var isSet: Bool { value.withLock { $0 } }
        }

        struct Iterator: AsyncIteratorProtocol {
            var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
            let slots: DispatchSemaphore

            mutating func next() async throws -> [UInt8]? {
                let chunk = try await base.next()
                if chunk != nil { slots.signal() }
                return chunk
            }
        }

        /// Reads the body to its end as `framing` says, handing each piece to `deliver` once a buffer slot is free.
        private static func pump(
            _ connection: UpstreamConnection, framing: Framing, leftover: [UInt8], slots: DispatchSemaphore, cancelled: CancelFlag,
            deliver: ([UInt8]) -> Void
        ) -> Result<Void, BrokenAnswer> {
            var decoder = ChunkedBodyDecoder()
            var remaining: Int
            if case .length(let length) = framing { remaining = length } else { remaining = Int.max }

            // Hands `bytes` (raw from the socket) on; returns true when the body is complete.
            func take(_ bytes: ArraySlice<UInt8>) throws(BrokenAnswer) -> Bool {
                var payload: [UInt8]
                switch framing {
                case .chunked:
                    do { payload = try decoder.decode(bytes) } catch { throw BrokenAnswer(description: "malformed chunked body") }
                case .length:
                    payload = Array(bytes.prefix(remaining))
                    remaining -= payload.count
                case .untilClose, .none:
                    payload = Array(bytes)
                }
                if !payload.isEmpty {
                    while slots.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                        if cancelled.isSet { throw BrokenAnswer(description: "the client went away") }
                    }
                    if cancelled.isSet { throw BrokenAnswer(description: "the client went away") }
                    deliver(payload)
                }
                switch framing {
                case .chunked: return decoder.isDone
                case .length: return remaining == 0
                case .untilClose: return false
                case .none: return true
                }
            }

            do throws(BrokenAnswer) {
                if try take(leftover[...]) { return .success(()) }
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = InstanceSyscalls.read(connection.descriptor, into: &buffer)
                    if count == 0 {
                        return framing == .untilClose ? .success(()) : .failure(BrokenAnswer(description: "the answer ended early"))
                    }
                    if count < 0 {
                        return .failure(
                            BrokenAnswer(description: cancelled.isSet ? "the client went away" : "the model server went silent"))
                    }
                    if try take(buffer[0..<count]) { return .success(()) }
                }
            } catch {
                return .failure(error)
            }
        }
    }
}
