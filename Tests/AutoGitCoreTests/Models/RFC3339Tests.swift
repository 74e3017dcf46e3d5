import AutoGitCore
import Foundation
import Testing

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(
        "valid timestamps parse to the right instant",
        arguments: [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2024-01-15T10:30:00Z", 1_705_314_600.0),
            ("2024-01-15T10:30:00.5Z", 1_705_314_600.5),
            ("2024-01-15T10:30:00.123456789Z", 1_705_314_600.123456789),
            ("2024-01-15t10:30:00z", 1_705_314_600.0),
            ("2024-01-15 10:30:00Z", 1_705_314_600.0),
            ("2024-01-15T12:30:00+02:00", 1_705_314_600.0),
            ("2024-01-15T05:00:00-05:30", 1_705_314_600.0),
            ("2000-02-29T00:00:00Z", 951_782_400.0),
            ("1969-12-31T23:59:59Z", -1.0),
            ("9999-12-31T23:59:59Z", 253_402_300_799.0),
        ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test(
        "invalid timestamps are rejected",
        arguments: [
            "", "2024-01-15", "2024-01-15T10:30:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-15T24:00:00Z",
            "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00+2:00", "2024-01-15T10:30:00Zjunk", "24-01-15T10:30:00Z",
            "2024-01-15T10:61:00Z", "２０２４-01-15T10:30:00Z",
        ])
    func rejects(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test("formatting writes UTC, with milliseconds only when present")
    func formats() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_705_314_600)) == "2024-01-15T10:30:00Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_705_314_600.25)) == "2024-01-15T10:30:00.250Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test("formatted dates parse back to the same millisecond")
    func roundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let milliseconds = Double(Int64.random(in: -2_000_000_000_000...250_000_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: milliseconds / 1000)
            let text = RFC3339.string(from: date)
            let back = try #require(RFC3339.date(from: text), "\(text)")
            #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0005, "\(text)")
            #expect(RFC3339.string(from: back) == text)
        }
    }

    @Test("the AutoGit decoder reads fractional seconds and Unix numbers; the encoder writes RFC 3339")
    func coders() throws {
        struct Stamp: Codable, Equatable { var at: Date }
        let fractional = try AutoGitJSON.decode(Stamp.self, from: Data(#"{"at": "2024-01-15T10:30:00.125Z"}"#.utf8))
        #expect(fractional.at.timeIntervalSince1970 == 1_705_314_600.125)
        let numeric = try AutoGitJSON.decode(Stamp.self, from: Data(#"{"at": 1705314600}"#.utf8))
        #expect(numeric.at.timeIntervalSince1970 == 1_705_314_600)
        #expect(String(decoding: try AutoGitJSON.encode(fractional), as: UTF8.self) == #"{"at":"2024-01-15T10:30:00.125Z"}"#)
        #expect(throws: DecodingError.self) {
            try AutoGitJSON.decode(Stamp.self, from: Data(#"{"at": "yesterday"}"#.utf8))
        }
    }
}
