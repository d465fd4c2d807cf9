import Foundation
@testable import NBRunEngine
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// Issue 27, defects 5, 6 and 13: values from `--set`, `--sweep` and records reach `runs`,
/// `status`, `why` and `sweep.md`. None may send a terminal escape, break a table row, or
/// add markup, a link or a remote image; an interrupted variant is not "computed now".
@Suite("runs, status, why and sweep.md escape what they quote")
struct EscapedListingTests {
    static let hostile = "esc\u{1B}[31mred\u{07}\u{1B}]0;title\u{07}line\nbreak"

    /// No raw control character but the newlines that end lines.
    static func controls(in text: String) -> [String] {
        text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }.map { "U+\(String($0.value, radix: 16))" }
    }

    @Test func runsStatusAndWhyEscapeControlCharactersOnOneLine() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        let base = ["Test.manifest", "--output", "out"]
        // Two variants, so that `runs` shows the label, which sets them apart.
        for label in ["plain", Self.hostile] {
            let run = try RunningNBRun(binary, base + ["--set", "summarize.label=\(label)"], in: notebook.folder).finish()
            try #require(run.status == 0, "\(run.output)")
        }
        let runs = try RunningNBRun(binary, ["runs"] + base, in: notebook.folder).finish()
        #expect(runs.status == 0 && Self.controls(in: runs.output).isEmpty, "\(Self.controls(in: runs.output))")
        // The variant's row holds the whole label, escaped, on one line.
        #expect(runs.output.split(separator: "\n").contains { $0.contains("esc\\u{1B}[31mred") && $0.contains("line\\u{A}break") },
                "\(runs.output)")
        for command in [["status"] + base, ["why"] + base + ["summarize"]] {
            let result = try RunningNBRun(binary, command + ["--set", "summarize.label=x\(Self.hostile)"], in: notebook.folder).finish()
            #expect(result.status == 0, "\(command): \(result.output)")
            #expect(Self.controls(in: result.output).isEmpty, "\(command): \(Self.controls(in: result.output))")
            #expect(result.output.contains("line\\u{A}break"), "\(command): \(result.output)")
        }
    }

    @Test func sweepMarkdownFollowsTheReportsRules() throws {
        let values = ["a\nb", "<script>alert(1)</script>", "![x](http://example.com/beacon.png)", "[l](javascript:alert(1))",
                      "\u{1B}[31m", "p|q"]
        let axis = SweepAxis(stage: "s", parameter: "label", values: values)
        let grid = try SweepGrid(axes: [axis])
        let variants = values.map { value in
            SweepVariant(overrides: [ParameterOverride(stage: "s", parameter: "label", value: value)], exitCode: 0,
                         records: [:], executed: ["s"])
        }
        let result = SweepResult(grid: grid, variants: variants, metric: nil, reportURL: nil, chartURL: nil, exitCode: 0)
        let text = SweepReport.markdown(title: "t\u{1B}]0;x\u{07}", result: result, startedAt: Date(timeIntervalSince1970: 0))
        #expect(Self.controls(in: text).isEmpty, "\(Self.controls(in: text))")
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| #") && !$0.hasPrefix("| ---") }
        #expect(rows.count == values.count, "one row per variant:\n\(text)")
        // Every value is inside a code span: nothing outside one is markup.
        for row in rows {
            let outside = row.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
            #expect(!outside.contains("<") && !outside.contains("](") && !outside.contains("!["), "\(row)")
        }
        #expect(text.contains("`\"a\\nb\"`"), "a value with a newline is a quoted literal:\n\(text)")
    }

    @Test func anInterruptedVariantIsNotComputedNow() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook("""
            title: interrupted sweep
            cells:
              - stage: slow
                kind: demo.slow
                parameters: {steps: 400, step-milliseconds: 20}
            """)
        let sweep = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--sweep", "slow.steps=400,401"], in: notebook.folder)
        try sweep.waitForOutput(containing: "▶ slow")
        Thread.sleep(forTimeInterval: 0.3)
        sweep.signal(SIGINT)
        #expect(sweep.ended(within: 60))
        let result = sweep.finish()
        #expect(result.status == 130, "\(result.output)")
        let markdown = try String(contentsOf: notebook.output.appendingPathComponent("sweep.md"), encoding: .utf8)
        let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| 1 |") }, "\(markdown)")
        #expect(row.contains("interrupted") && !row.contains("| slow |"), "\(row)")
    }
}
