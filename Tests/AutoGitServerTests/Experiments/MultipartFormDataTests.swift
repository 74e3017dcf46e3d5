import Foundation
import Testing

@testable import AutoGitServer

@Suite("multipart/form-data bodies (RFC 7578)")
struct MultipartFormDataTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("the RFC 7578 example's fields are read with their names, file names and types")
    func fields() throws {
        let body = Self.bytes(
            "--AaB03x\r\nContent-Disposition: form-data; name=\"submit-name\"\r\n\r\nLarry\r\n"
                + "--AaB03x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"file1.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                + "... contents of file1.txt ...\r\n--AaB03x--\r\n")
        let form = try MultipartFormData(parsing: body, boundary: "AaB03x")
        #expect(form.parts.map(\.name) == ["submit-name", "files"])
        #expect(form.part(named: "submit-name")?.text == "Larry")
        let file = try #require(form.part(named: "files"))
        #expect(file.filename == "file1.txt" && file.contentType == "text/plain")
        #expect(file.text == "... contents of file1.txt ...")
    }

    @Test("binary content with line breaks and boundary-like text, a preamble, an epilogue and an empty part")
    func binary() throws {
        let content: [UInt8] = [0, 13, 10, 45, 45, 255] + Self.bytes("\r\n--b\r\n--by")
        let body =
            Self.bytes("ignored preamble\r\n--bx \t\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n") + content
            + Self.bytes("\r\n--bx\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--bx--trailing epilogue")
        let form = try MultipartFormData(parsing: body, boundary: "bx")
        #expect(form.part(named: "file")?.body == content)
        #expect(form.part(named: "empty")?.body == [])
    }

    @Test("quoted parameters with escapes and semicolons are unquoted")
    func quoting() throws {
        let body = Self.bytes(
            "--q\r\ncontent-disposition: form-data; filename=\"a; \\\"b\\\".bin\"; name=\"file\"\r\n\r\nx\r\n--q--")
        let part = try #require(try MultipartFormData(parsing: body, boundary: "q").part(named: "file"))
        #expect(part.filename == "a; \"b\".bin")
    }

    @Test("the boundary comes from the content type, quoted or not; other types have none")
    func boundary() {
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartFormData.boundary(fromContentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c")
        #expect(MultipartFormData.boundary(fromContentType: "multipart/mixed; boundary=abc") == nil)
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data") == nil)
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }

    @Test(
        "malformed bodies are refused",
        arguments: [
            "no delimiter at all",
            "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nnever closed",
            "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
            "--bgarbage\r\n",
        ])
    func malformed(_ text: String) {
        #expect(throws: MultipartFormData.ParseError.self) { try MultipartFormData(parsing: Self.bytes(text), boundary: "b") }
    }
}

@Suite("Range, If-None-Match and If-Range")
struct ByteRangeRequestTests {
    @Test("single byte ranges, open and suffix ranges, and the end clamped to the size")
    func ranges() {
        #expect(ByteRangeRequest(header: "bytes=0-99", size: 1000) == .partial(0...99))
        #expect(ByteRangeRequest(header: "bytes=900-", size: 1000) == .partial(900...999))
        #expect(ByteRangeRequest(header: "bytes=-10", size: 1000) == .partial(990...999))
        #expect(ByteRangeRequest(header: "bytes=-5000", size: 1000) == .partial(0...999))
        #expect(ByteRangeRequest(header: "bytes=990-5000", size: 1000) == .partial(990...999))
        #expect(ByteRangeRequest(header: nil, size: 1000) == .whole)
    }

    @Test("ranges past the end are unsatisfiable; malformed or multiple ranges are ignored")
    func oddities() {
        #expect(ByteRangeRequest(header: "bytes=1000-", size: 1000) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=-0", size: 1000) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=0-0", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=0-1,5-6", size: 1000) == .whole)
        #expect(ByteRangeRequest(header: "bytes=5-1", size: 1000) == .whole)
        #expect(ByteRangeRequest(header: "items=0-1", size: 1000) == .whole)
        #expect(ByteRangeRequest(header: "bytes=x-1", size: 1000) == .whole)
    }

    @Test("If-None-Match compares weakly and accepts lists and *; If-Range needs the strong tag itself")
    func tags() {
        let etag = "\"abc\""
        #expect(EntityTag.noneMatchHits("\"x\", W/\"abc\"", etag: etag))
        #expect(EntityTag.noneMatchHits("*", etag: etag))
        #expect(!EntityTag.noneMatchHits("\"abcd\"", etag: etag))
        #expect(EntityTag.rangeApplies("\"abc\"", etag: etag))
        #expect(!EntityTag.rangeApplies("W/\"abc\"", etag: etag))
        #expect(!EntityTag.rangeApplies("Wed, 21 Oct 2015 07:28:00 GMT", etag: etag))
    }
}
