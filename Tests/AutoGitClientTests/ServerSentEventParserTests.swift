import AutoGitClient
import Foundation
import Testing

@Suite("ServerSentEventParser")
struct ServerSentEventParserTests {
    static let stream =
        "retry: 3000\r\n\r\n: heartbeat\n\nid: 41\nevent: log\ndata: {\"seq\":41,\"message\":\"héllo\"}\n\n"
        + "id: 42\revent: log\rdata: line one\rdata: line two\r\r" + "event: end\ndata: {}\n\n"

    static let expected = [
        ServerSentEvent(event: "log", data: #"{"seq":41,"message":"héllo"}"#, id: "41"),
        ServerSentEvent(event: "log", data: "line one\nline two", id: "42"),
        ServerSentEvent(event: "end", data: "{}", id: "42"),
    ]

    @Test("a stream with CRLF, CR and LF line ends, comments and multi-line data parses into its events")
    func parsesWholeStream() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(Self.stream.utf8)) == Self.expected)
        #expect(parser.retry == .milliseconds(3000))
        #expect(parser.lastEventID == "42")
    }

    @Test("the same events come out however the bytes are cut, inside lines, UTF-8 sequences and CRLF pairs")
    func parsesAnyChunking() {
        let bytes = Array(Self.stream.utf8)
        for cut in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(events == Self.expected, "cut at \(cut)")
        }
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        #expect(events == Self.expected)
    }

    @Test("a leading byte order mark is skipped once; an event without data, or unfinished at the end, is not dispatched")
    func edges() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("\u{FEFF}data: a\n\nevent: empty\n\ndata: unfinished\n".utf8))
        #expect(events == [ServerSentEvent(event: "message", data: "a")])
    }

    @Test("an id holding NUL is ignored, a retry that is not all digits is ignored, a field without colon is a name")
    func fieldRules() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("id: 7\ndata: x\n\nid: a\u{0}b\nretry: 1.5\ndata\n\n".utf8))
        #expect(events == [ServerSentEvent(event: "message", data: "x", id: "7"), ServerSentEvent(event: "message", data: "", id: "7")])
        #expect(parser.retry == nil)
    }
}
