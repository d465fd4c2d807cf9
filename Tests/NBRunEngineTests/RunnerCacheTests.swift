import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Running, caching and selecting stages")
struct RunnerCacheTests {
    @Test func firstRunThenFullyCachedRerun() throws {
        let notebook = try TestNotebook()
        let first = try notebook.run()
        #expect(first.exitCode == 0)
        #expect(first.executed == ["generate", "square", "summarize", "histogram"])
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 20"))
        let reportURL = notebook.output.appendingPathComponent("report.md")
        try FileManager.default.removeItem(at: reportURL)

        let second = try notebook.run()
        #expect(second.exitCode == 0)
        #expect(second.executed.isEmpty)
        for stage in ["generate", "square", "summarize", "histogram"] { #expect(second.isCached(stage)) }
        #expect(FileManager.default.fileExists(atPath: reportURL.path), "a fully cached run still writes the report")
    }

    @Test func parameterChangeInvalidatesExactlyThatStageAndDownstream() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let before = try Data(contentsOf: notebook.artifact("histogram", "histogram.png"))
        try notebook.write(TestNotebook.pipeline.replacingOccurrences(of: "label: x", with: "")
            .replacingOccurrences(of: "kind: demo.summarize", with: "kind: demo.summarize\n    parameters: {label: total}"))
        let result = try notebook.run()
        #expect(result.executed == ["summarize"])
        #expect(try Data(contentsOf: notebook.artifact("histogram", "histogram.png")) == before)

        try notebook.write(TestNotebook.pipeline.replacingOccurrences(of: "count: 20", with: "count: 30"))
        let upstreamChange = try notebook.run()
        #expect(upstreamChange.executed == ["generate", "square", "summarize", "histogram"])
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 30"))
    }

    @Test func setOverrideIsPartOfTheFingerprintAndShownInTheReport() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let overridden = try notebook.run(["generate.count=7"])
        #expect(overridden.executed == ["generate", "square", "summarize", "histogram"])
        #expect(try notebook.read("summarize", "summary.json").contains("\"count\": 7"))
        #expect(try notebook.report().contains("`count` = `7` (from `--set`)"))
        #expect(try notebook.run(["generate.count=7"]).executed.isEmpty)
        let back = try notebook.run()
        #expect(back.executed.isEmpty, "dropping the override goes back to the cached variant")
        #expect(!(try notebook.report().contains("(from `--set`)")), "the report shows the variant of this run")
    }

    @Test func singleStageRerunUsesCachedUpstream() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let result = try notebook.run { $0.onlyStage = "square" }
        #expect(result.executed == ["square"])
        #expect(result.isCached("generate"))
        #expect(result.isCached("summarize"), "a rerun with the same fingerprint keeps downstream fresh")
    }

    @Test func singleStageRerunComputesStaleUpstreamFirst() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let result = try notebook.run(["generate.count=9"]) { $0.onlyStage = "square" }
        #expect(result.executed == ["generate", "square"])
        #expect(notebook.console.text.contains("computing generate first: stale: parameter count changed: 20 → 9"))
        guard case .notRun(let reason, let previous) = result.outcome("summarize") else {
            Issue.record("summarize should not run"); return
        }
        #expect(reason.contains("not selected"))
        #expect(previous != nil)
        #expect(result.outcome("histogram").map { if case .notRun = $0 { true } else { false } } == true)
    }

    @Test func fromRerunsTheStageAndEverythingDownstream() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let result = try notebook.run { $0.fromStage = "square" }
        #expect(result.executed == ["square", "summarize"])
        #expect(result.isCached("generate") && result.isCached("histogram"))
    }

    @Test func forceRerunsEverything() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let result = try notebook.run { $0.force = true }
        #expect(result.executed == ["generate", "square", "summarize", "histogram"])
    }

    @Test func unknownSelectedStageIsATypedError() throws {
        let notebook = try TestNotebook()
        #expect(throws: RunError.unknownStage("nope", known: ["generate", "square", "summarize", "histogram"])) {
            try notebook.run { $0.onlyStage = "nope" }
        }
    }

    @Test func dryRunSaysWhatWouldRunAndRunsNothing() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let result = try notebook.run(["generate.seed=4"]) { $0.dryRun = true }
        #expect(result.executed.isEmpty)
        #expect(result.wouldRun.map(\.stage) == ["generate", "square", "summarize", "histogram"])
        #expect(result.wouldRun[0].reason.contains("parameter seed changed: 3 → 4"))
        #expect(notebook.console.text.contains("would run square: stale: upstream stage generate changed"))
        #expect(try notebook.status()["generate"]?.freshness.isFresh == true, "nothing was written")
        #expect(result.reportURL == nil)
    }

    @Test func sameSeedGivesByteIdenticalArtifacts() throws {
        let first = try TestNotebook(), second = try TestNotebook()
        try first.run()
        try second.run()
        for (stage, name) in [("generate", "numbers.txt"), ("square", "squares.txt"), ("histogram", "histogram.png")] {
            #expect(try Data(contentsOf: first.artifact(stage, name)) == Data(contentsOf: second.artifact(stage, name)))
        }
    }

    @Test func recordHoldsFingerprintArtifactsAndOutput() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let data = try Data(contentsOf: notebook.artifact("generate", "record.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["fingerprint"] as? String)?.count == 64)
        let artifacts = try #require(json["artifacts"] as? [[String: Any]])
        #expect(artifacts.first?["name"] as? String == "numbers.txt")
        #expect((artifacts.first?["sha256"] as? String)?.count == 64)
        #expect(json["output"] as? String == "generated 20 numbers from seed 3\n")
        #expect(json["peakMemoryBytes"] as? Int ?? 0 > 0)
        let components = try #require(json["components"] as? [String: Any])
        #expect((components["parameters"] as? [String: String])?["count"] == "int:20")
    }
}

@Suite("Selection and output folder details")
struct SelectionDetailTests {
    @Test func singleStageOnAnEmptyCacheComputesMissingUpstreamFirst() throws {
        let notebook = try TestNotebook()
        let result = try notebook.run { $0.onlyStage = "summarize" }
        #expect(result.executed == ["generate", "square", "summarize"])
        #expect(notebook.console.text.contains("computing generate first: never run"))
        #expect(notebook.console.text.contains("computing square first: never run"))
        guard case .notRun(_, nil) = result.outcome("histogram") else { Issue.record("histogram ran"); return }
    }

    @Test func outputFolderRules() throws {
        let notebook = try TestNotebook()
        let manifest = try notebook.load()
        let cwd = URL(fileURLWithPath: "/some/repo")
        #expect(manifest.outputDirectory(currentDirectory: cwd).path == "/some/repo/output/Test")
        #expect(manifest.outputDirectory(override: URL(fileURLWithPath: "/x/y")).path == "/x/y")
        try notebook.write(TestNotebook.pipeline.replacingOccurrences(of: "cells:", with: "output: ../results/t\ncells:"))
        let declared = try notebook.load()
        #expect(declared.outputDirectory(currentDirectory: cwd).path
                == notebook.folder.deletingLastPathComponent().appendingPathComponent("results/t").path)
    }

    @Test func stageAskingForAnArtifactNoUpstreamHasFailsClearly() throws {
        let notebook = try TestNotebook("""
            title: wrong reads
            cells:
              - stage: words
                kind: demo.count-words
              - stage: square
                kind: demo.square
                reads: [words]
            """)
        let result = try notebook.run()
        guard case .failed(let error, _, _) = result.outcome("square") else { Issue.record("square should fail"); return }
        #expect(error == "no artifact named 'numbers.txt' in the stages read from (words)")
    }
}
