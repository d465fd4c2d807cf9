import Foundation
@testable import NBRunEngine
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// Issue 27, defect 13: sweep values compared as the values they parse to, and a misspelt
/// `--metric` reported before the sweep runs (from the cache), or after the first variant
/// that computed its stage, never after the whole sweep.
@Suite("Sweep values and metrics checked early")
struct SweepValueTests {
    @Test func valuesThatParseAlikeAreRefused() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        let run = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--sweep", "generate.seed=7,07,+7"], in: notebook.folder).finish()
        #expect(run.status != 0 && run.output.contains("'7' and '07' are the same value (7)"), "\(run.output)")
        #expect(!run.output.contains("── sweep variant"), "\(run.output)")
        // Strings are compared as strings.
        let labels = try RunningNBRun(binary, ["Test.manifest", "--output", "out", "--sweep", "summarize.label=7,07"], in: notebook.folder).finish()
        #expect(labels.status == 0, "\(labels.output)")
    }

    @Test func aMisspeltMetricStopsTheSweepEarly() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        let sweep = ["Test.manifest", "--output", "out", "--sweep", "generate.count=5,6,7", "--metric", "summarize.nope"]
        let first = try RunningNBRun(binary, sweep, in: notebook.folder).finish()
        #expect(first.status == 1, "\(first.output)")
        #expect(first.output.contains("stopping the sweep after variant 1 of 3") && !first.output.contains("sweep variant 2/3"), "\(first.output)")
        #expect(first.output.contains("recorded: summarize.count, summarize.mean"), "\(first.output)")
        // Now the cache knows what summarize records: refused before any variant runs.
        let second = try RunningNBRun(binary, sweep, in: notebook.folder).finish()
        #expect(second.status != 0 && !second.output.contains("── sweep variant"), "\(second.output)")
        #expect(second.output.contains("no variant of the sweep recorded metric 'summarize.nope'"), "\(second.output)")
    }
}
