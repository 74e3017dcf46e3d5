/// Splits a `text/event-stream` byte stream into events, as the WHATWG HTML standard's event-stream
/// interpretation says.
///
/// Feed it chunks as they arrive, cut anywhere (inside a line, inside a UTF-8 sequence, between CR and LF); it
/// returns the events each chunk completes. It handles `CRLF`, `LF` and `CR` line ends, a leading byte order
/// mark, comments (lines starting with `:`), multi-line `data`, `id` (kept across events, ignored when it contains
/// NUL), and `retry` (digits only). An event still incomplete when the stream ends is dropped, as the standard
/// says.
public struct ServerSentEventParser: Sendable {
    /// The last event id seen (`id:`), sent as `Last-Event-ID` when reconnecting.
    public private(set) var lastEventID = ""
    /// The reconnection time the server asked for (`retry:`), if any.
    public private(set) var retry: Duration?

    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var eventType = ""
    private var data = ""
    private var hasData = false

    /// A parser at the start of a stream.
    public init() {}

    /// Consumes `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if atStart {
                line.append(byte)
                // A UTF-8 byte order mark at the very start of the stream is skipped once.
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                if line.count <= 3, Array(bom.prefix(line.count)) == line {
                    if line.count == 3 {
                        line.removeAll()
                        atStart = false
                    }
                    continue
                }
                atStart = false
                line.removeLast()
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if afterCR {
                    afterCR = false
                } else if let event = endLine() {
                    events.append(event)
                }
            case UInt8(ascii: "\r"):
                afterCR = true
                if let event = endLine() { events.append(event) }
            default:
                afterCR = false
                line.append(byte)
            }
        }
        return events
    }

    /// Processes the buffered line; returns an event when the line was blank and ended one.
    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            return dispatch()
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let field: String
        let value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = line.index(after: colon)
            if start < line.endIndex, line[start] == UInt8(ascii: " ") { start += 1 }
            value = String(decoding: line[start...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event":
            eventType = value
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "id":
            if !value.utf8.contains(0) { lastEventID = value }
        case "retry":
            if !value.isEmpty, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let milliseconds = Int64(value)
            {
                retry = .milliseconds(milliseconds)
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: data, id: lastEventID)
    }
}
