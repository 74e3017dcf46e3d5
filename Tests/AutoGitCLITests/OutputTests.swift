import AutoGitCore
import Foundation
import Testing

@testable import autogit

@Suite("Tables")
struct TableTests {
    private let table = Table(
        columns: [.init("ID"), .init("Name"), .init("GPUs", alignment: .right), .init("Host", isWideOnly: true)],
        rows: [
            ["r-1", "a-runner-with-a-really-long-descriptive-name", "8", "node-17.cluster.example.com"],
            ["r-22", "short", "0", "node-2"],
        ])

    @Test("a table that fits is aligned in columns with upper-case headers and no trailing spaces")
    func fits() {
        let text = table.render(width: 100)
        #expect(
            text == """
                ID    NAME                                          GPUS
                r-1   a-runner-with-a-really-long-descriptive-name     8
                r-22  short                                            0

                """)
    }

    @Test("a table wider than the terminal cuts its widest column with an ellipsis")
    func truncatesWidestColumn() {
        let text = table.render(width: 30)
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 30 })
        #expect(lines[1] == "r-1   a-runner-with-a-r…     8")
        #expect(lines[2] == "r-22  short                  0")
    }

    @Test("the wide format adds the wide-only columns")
    func wideColumns() {
        let text = table.render(width: nil, includeWideColumns: true)
        #expect(text.hasPrefix("ID    NAME                                          GPUS  HOST\n"))
        #expect(text.contains("node-17.cluster.example.com"))
    }

    @Test("truncation keeps the text within the width and marks the cut")
    func truncate() {
        #expect(Table.truncate("abcdef", to: 4) == "abc…")
        #expect(Table.truncate("abc", to: 4) == "abc")
        #expect(Table.truncate("abcdef", to: 1) == "a")
    }

    @Test("styles wrap the text after padding is measured, so colour does not shift columns")
    func colourDoesNotShiftColumns() {
        let coloured = Table(columns: [.init("Status"), .init("ID")], rows: [[Table.Cell("idle", style: .green), "r-1"]])
        let text = coloured.render(width: 80, styler: Styler(isEnabled: true))
        #expect(text.contains("\u{1B}[32midle\u{1B}[0m    r-1"))
    }
}

@Suite("Relative times")
struct RelativeTimeTests {
    @Test(
        "times read as the largest whole unit, in the past or the future",
        arguments: [
            (0.0, "just now"), (0.4, "just now"), (42, "42s ago"), (59.9, "59s ago"), (60, "1m ago"), (200, "3m ago"),
            (5 * 3600 + 59 * 60, "5h ago"), (2 * 86_400 + 3600, "2d ago"), (400 * 86_400, "1y ago"), (-180, "in 3m"),
            (-42, "in 42s"), (-3 * 86_400, "in 3d"),
        ] as [(Double, String)])
    func describe(secondsAgo: Double, expected: String) {
        #expect(RelativeTime.describe(testNow.addingTimeInterval(-secondsAgo), relativeTo: testNow) == expected)
    }
}

@Suite("Colour")
struct StylerTests {
    @Test("colour is on only on a terminal without --no-color, NO_COLOR or TERM=dumb")
    func policy() {
        #expect(Styler(isTTY: true, isColorDisabled: false, environment: [:]).isEnabled)
        #expect(!Styler(isTTY: false, isColorDisabled: false, environment: [:]).isEnabled)
        #expect(!Styler(isTTY: true, isColorDisabled: true, environment: [:]).isEnabled)
        #expect(!Styler(isTTY: true, isColorDisabled: false, environment: ["NO_COLOR": "1"]).isEnabled)
        #expect(!Styler(isTTY: true, isColorDisabled: false, environment: ["NO_COLOR": "0"]).isEnabled)
        #expect(Styler(isTTY: true, isColorDisabled: false, environment: ["NO_COLOR": ""]).isEnabled)
        #expect(!Styler(isTTY: true, isColorDisabled: false, environment: ["TERM": "dumb"]).isEnabled)
    }

    @Test("a disabled styler leaves text alone")
    func disabled() {
        #expect(Styler(isEnabled: false).apply(.red, to: "failed") == "failed")
        #expect(Styler(isEnabled: true).apply(.red, to: "failed") == "\u{1B}[31mfailed\u{1B}[0m")
    }

    @Test("errors are red on a terminal but plain with NO_COLOR")
    func errorColour() async {
        let coloured = await runAutoGit(["runners", "list", "--bogus"], isTTY: true)
        #expect(coloured.error.hasPrefix("\u{1B}[31merror:\u{1B}[0m "))
        let plain = await runAutoGit(["runners", "list", "--bogus"], environment: ["NO_COLOR": "1"], isTTY: true)
        #expect(plain.error.hasPrefix("error: "))
    }
}

@Suite("Terminal width")
struct TerminalTests {
    @Test("the window's width wins, then COLUMNS, then 100")
    func width() {
        #expect(Terminal.width(windowColumns: 132, environment: ["COLUMNS": "80"]) == 132)
        #expect(Terminal.width(windowColumns: nil, environment: ["COLUMNS": "80"]) == 80)
        #expect(Terminal.width(windowColumns: nil, environment: ["COLUMNS": "wide"]) == 100)
        #expect(Terminal.width(windowColumns: nil, environment: [:]) == 100)
    }
}

@Suite("Rendering results")
struct OutputRendererTests {
    private struct Item: Encodable {
        var id: String
        var createdAt: Date
        enum CodingKeys: String, CodingKey {
            case id
            case createdAt = "created_at"
        }
    }

    private let items = [Item(id: "r-1", createdAt: testNow.addingTimeInterval(-180)), Item(id: "r-2", createdAt: testNow)]

    private func render(_ format: OutputFormat, quiet: Bool = false) throws -> String {
        let captured = CapturedConsole(width: 80)
        let renderer = OutputRenderer(
            console: captured.console, format: format, isQuiet: quiet, styler: Styler(isEnabled: false), now: testNow)
        try renderer.render(items, ids: items.map(\.id)) {
            Table(
                columns: [.init("ID"), .init("Created")], rows: items.map { [Table.Cell($0.id), Table.Cell(renderer.time($0.createdAt))] })
        }
        return captured.output.text
    }

    @Test("tables show relative times")
    func table() throws {
        #expect(try render(.table) == "ID   CREATED\nr-1  3m ago\nr-2  just now\n")
    }

    @Test("JSON is pretty-printed with sorted keys and absolute RFC 3339 times")
    func json() throws {
        let text = try render(.json)
        #expect(text.contains("\"created_at\" : \"2023-11-14T22:10:20Z\""))
        #expect(text.contains("\"created_at\" : \"2023-11-14T22:13:20Z\",\n    \"id\" : \"r-2\""))
    }

    @Test("-q prints only ids, whatever the format")
    func quiet() throws {
        #expect(try render(.table, quiet: true) == "r-1\nr-2\n")
        #expect(try render(.json, quiet: true) == "r-1\nr-2\n")
    }
}

@Suite("Progress")
struct ProgressIndicatorTests {
    @Test("off a terminal each new message is one plain line, repeats are not printed")
    func plainLines() {
        let captured = CapturedConsole(isTTY: false)
        let progress = ProgressIndicator(console: captured.console)
        progress.update("queued")
        progress.update("queued")
        progress.update("running on r-1")
        progress.finish("succeeded")
        #expect(captured.error.text == "queued\nrunning on r-1\nsucceeded\n")
        #expect(captured.output.text.isEmpty)
    }

    @Test("on a terminal it redraws one line with a spinner and clears it when done")
    func spinner() {
        let captured = CapturedConsole(isTTY: true)
        let progress = ProgressIndicator(console: captured.console)
        progress.update("queued")
        progress.finish("done")
        let text = captured.error.text
        #expect(text.hasPrefix("\r\u{1B}[2K⠋ queued"))
        #expect(text.hasSuffix("\r\u{1B}[2Kdone\n"))
    }
}

@Suite("Job details")
struct JobDetailsOutputTests {
    @Test("a retried job's details list its earlier attempts: status, exit code, runner, duration and why")
    func earlierAttempts() throws {
        var job = Job(
            id: "job-1", spec: JobSpec(name: "train", steps: [JobStep(name: "s", run: "python train.py")], retryCount: 2),
            status: .running, attempt: 2, runnerID: "runner-2", createdAt: testNow.addingTimeInterval(-600))
        job.previousAttempts = [
            JobAttempt(
                attempt: 1, status: .failed, reason: "attempt 1 failed; retrying", runnerID: "runner-1", exitCode: 137,
                startedAt: testNow.addingTimeInterval(-500), completedAt: testNow.addingTimeInterval(-380))
        ]
        let captured = CapturedConsole(width: 120)
        let renderer = OutputRenderer(
            console: captured.console, format: .table, isQuiet: false, styler: Styler(isEnabled: false), now: testNow)
        try renderer.renderDetails(job, id: job.id) { renderer.jobDetails(job) }
        let text = captured.output.text
        #expect(text.contains("Attempt") && text.contains("2 of 3"))
        let row = try #require(text.split(separator: "\n").first { $0.contains("runner-1") })
        #expect(row.contains("failed") && row.contains("137") && row.contains("2m") && row.contains("attempt 1 failed; retrying"))
    }
}
