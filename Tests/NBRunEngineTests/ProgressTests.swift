import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Progress: live bar in a terminal, plain lines elsewhere, never in the report")
struct ProgressTests {
    static let manifest = """
        title: progress
        cells:
          - stage: slow
            kind: demo.slow
            parameters: {steps: 20, step-milliseconds: 15}
        """

    @Test func plainLinesInAPipeAndNothingInTheReport() throws {
        let notebook = try TestNotebook(Self.manifest)
        try notebook.run()
        let console = notebook.console.text
        #expect(console.contains("  slow: 2/20 steps (10%)"))
        #expect(console.contains("  slow: 20/20 steps (100%)"))
        #expect(!console.contains("\u{1B}["), "no terminal control codes outside a terminal")
        let report = try notebook.report()
        #expect(!report.contains("steps (10%)") && !report.contains("steps/s"))
        #expect(report.contains("```\nwaited 20 steps\n```"))
    }

    @Test func liveBarInATerminalIsClearedAtTheEnd() throws {
        let notebook = try TestNotebook(Self.manifest)
        let written = Box<String?>(nil)
        written.value = ""
        let terminal = Console(isInteractive: true) { text in written.value! += text }
        let runner = Runner(registry: notebook.registry, console: terminal)
        _ = try runner.run(try notebook.load(), options: notebook.options())
        terminal.tidy()
        let text = try #require(written.value)
        #expect(text.contains("\r\u{1B}[2K  slow █"))
        #expect(text.contains("ETA") && text.contains("· step "))
        #expect(text.contains("\r\u{1B}[2K  slow: 20/20 steps in "), "the bar is cleared before the summary line")
        #expect(text.hasSuffix("\u{1B}[?25h"), "cursor shown at the end")
    }
}
