/// One Server-Sent Event. Every field is optional; an event with only a comment keeps the connection warm.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `id:` field (sets the client's Last-Event-ID). CR, LF and NUL are removed since they would end the field.
    public var id: String?
    /// The `event:` field (the type a browser's `addEventListener` sees).
    public var event: String?
    /// The `data:` payload; each line becomes its own `data:` line.
    public var data: String?
    /// The `retry:` reconnection delay hint.
    public var retry: Duration?
    /// A `:` comment line, ignored by clients.
    public var comment: String?

    public init(id: String? = nil, event: String? = nil, data: String? = nil, retry: Duration? = nil, comment: String? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
        self.comment = comment
    }

    /// The wire form, ending with the blank line that dispatches the event.
    public var encoded: [UInt8] {
        var out = ""
        if let comment {
            for line in Self.lines(comment) { out += line.isEmpty ? ":\n" : ": \(line)\n" }
        }
        if let id { out += "id: \(Self.singleLine(id))\n" }
        if let event { out += "event: \(Self.singleLine(event))\n" }
        if let retry {
            let milliseconds = retry.components.seconds * 1000 + retry.components.attoseconds / 1_000_000_000_000_000
            out += "retry: \(max(0, milliseconds))\n"
        }
        if let data {
            for line in Self.lines(data) { out += "data: \(line)\n" }
        }
        out += "\n"
        return Array(out.utf8)
    }

    /// The heartbeat comment block sent while a stream is quiet.
    static let heartbeat: [UInt8] = Array(": heartbeat\n\n".utf8)

    /// Splits on CRLF, CR or LF, as the spec's parser does, so no line break can inject a field.
    static func lines(_ text: String) -> [Substring] {
        let normalized = text.replacingOccurrencesOfLineBreaks()
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
    }

    static func singleLine(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" })
    }
}

extension String {
    fileprivate func replacingOccurrencesOfLineBreaks() -> Substring {
        guard unicodeScalars.contains("\r") else { return Substring(self) }
        var result = ""
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                result.unicodeScalars.append("\n")
                previousWasCR = true
            } else {
                if !(scalar == "\n" && previousWasCR) { result.unicodeScalars.append(scalar) }
                previousWasCR = false
            }
        }
        return Substring(result)
    }
}
