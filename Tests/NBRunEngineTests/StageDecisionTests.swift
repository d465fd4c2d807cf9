import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

/// `status`, `why`, `--dry-run` and a run all read one ``StageDecision`` per stage, so they
/// must name the same stages to run, for the same reasons.
@Suite("One run-or-skip decision for run, dry run, status and why")
struct StageDecisionTests {
    static let manifest = """
        title: decisions
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {seed: 3, count: 20}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: summarize
            kind: demo.summarize
            reads: [square]
          - stage: histogram
            kind: demo.histogram
            parameters: {bins: 4}
            reads: [generate]
          - stage: words
            kind: demo.count-words
            parameters: {text: input.txt}
        """

    /// After a first run, each stage is left stale for its own reason, or fresh:
    /// `square` lost an artifact, `histogram` gets a new parameter value (the override
    /// returned), `words` reads a file that was rewritten, `extra` was added to the manifest
    /// since; `generate` and `summarize` are unchanged.
    func notebookWithMixedStaleness() throws -> (TestNotebook, overrides: [String]) {
        let notebook = try TestNotebook(Self.manifest)
        try notebook.writeFile("input.txt", "one two three")
        try notebook.run()
        try notebook.writeFile("input.txt", "one two three four")
        let square = try #require(try notebook.status()["square"])
        let cache = VariantCache(root: notebook.output.appendingPathComponent(".cache"))
        try FileManager.default.removeItem(at: cache.variantFolder("square", fingerprint: square.fingerprint)
            .appendingPathComponent("squares.txt"))
        try FileManager.default.removeItem(at: notebook.artifact("square", "squares.txt"))
        try notebook.write(Self.manifest + """

              - stage: extra
                kind: demo.generate
            """)
        return (notebook, ["histogram.bins=5"])
    }

    @Test func statusWhyDryRunAndRunAgree() throws {
        let (notebook, overrides) = try notebookWithMixedStaleness()
        let manifest = try notebook.load(overrides)
        let runner = notebook.runner

        // status: the decisions, with the structured cause of each stale stage.
        let decisions = try runner.status(manifest, options: notebook.options())
        let byName = Dictionary(uniqueKeysWithValues: decisions.map { ($0.stage.name, $0) })
        #expect(decisions.map(\.stage.name) == ["generate", "square", "summarize", "histogram", "words", "extra"])
        let toRun = decisions.filter { $0.runs }.map(\.stage.name)
        #expect(toRun == ["square", "histogram", "words", "extra"])
        #expect(byName["generate"]?.usesCache == true && byName["summarize"]?.usesCache == true)
        guard case .stale(_, let squareCauses) = byName["square"]?.freshness, case .artifactProblem(let problem) = squareCauses.first else {
            Issue.record("square: \(byName["square"]?.summary ?? "?")"); return
        }
        #expect(problem.hasSuffix("squares.txt is missing"))
        #expect(byName["histogram"]?.freshness.causes == [.changed(.parameter(name: "bins", old: "4", new: "5"))])
        #expect(byName["words"]?.freshness.causes == [.changed(.inputData(parameter: "text", path: "input.txt"))])
        guard case .neverRun = byName["extra"]?.freshness else { Issue.record("extra: \(byName["extra"]?.summary ?? "?")"); return }
        #expect(decisions.allSatisfy { $0.forcedBy == nil && $0.isSelected && !$0.isPrerequisite })

        // why: the same decision for every stage.
        for decision in decisions {
            let why = try runner.why(manifest, stage: decision.stage.name, options: notebook.options())
            #expect(why.decision.action == decision.action, "\(decision.stage.name)")
            #expect(why.decision.summary == decision.summary, "\(decision.stage.name)")
        }

        // --dry-run: the same stages, the same reasons, and nothing written.
        let dryRun = try runner.run(manifest, options: notebook.options { $0.dryRun = true })
        #expect(dryRun.wouldRun.map(\.stage) == toRun)
        #expect(dryRun.wouldRun.map(\.reason) == decisions.filter { $0.runs }.map(\.summary))
        for decision in decisions {
            let verb = decision.runs ? "would run" : "skip"
            #expect(notebook.console.text.contains("\(verb) \(decision.stage.name): \(decision.summary)\n"), "\(notebook.console.text)")
        }
        #expect(try runner.status(manifest, options: notebook.options()).map(\.summary) == decisions.map(\.summary))

        // The run: computes exactly those, saying the same reason, and uses the cache for the rest.
        let result = try runner.run(manifest, options: notebook.options())
        #expect(result.exitCode == 0, "\(notebook.console.text)")
        #expect(result.executed == toRun)
        for decision in decisions where decision.runs {
            #expect(notebook.console.text.contains("▶ \(decision.stage.name) (\(decision.stage.kind)): \(decision.summary)\n"),
                    "\(notebook.console.text)")
        }
        #expect(result.isCached("generate") && result.isCached("summarize"))
        #expect(try runner.status(manifest, options: notebook.options()).allSatisfy { $0.usesCache })
    }

    /// With `--stage`, the decision also carries the selection: the stage asked for is
    /// forced, a stale stage it reads is computed first, the others are left alone. The dry
    /// run and the run agree on that too.
    @Test func aSelectedStageAndItsPrerequisitesAgreeBetweenDryRunAndRun() throws {
        let (notebook, overrides) = try notebookWithMixedStaleness()
        let manifest = try notebook.load(overrides)
        let runner = notebook.runner
        let options = notebook.options { $0.onlyStage = "summarize" }

        let decisions = try runner.status(manifest, options: options)
        let byName = Dictionary(uniqueKeysWithValues: decisions.map { ($0.stage.name, $0) })
        #expect(byName["summarize"]?.runs == true && byName["summarize"]?.forcedBy != nil)
        #expect(byName["summarize"]?.summary == "selected by --stage")
        #expect(byName["square"]?.runs == true && byName["square"]?.isPrerequisite == true)
        #expect(byName["generate"]?.usesCache == true)
        for unselected in ["histogram", "words", "extra"] {
            #expect(byName[unselected]?.action == .leave(reason: "not selected (\(byName[unselected]!.freshness.summary))"), "\(unselected)")
            #expect(byName[unselected]?.summary.hasPrefix("not selected (") == true)
        }

        let dryRun = try runner.run(manifest, options: notebook.options { $0.onlyStage = "summarize"; $0.dryRun = true })
        #expect(dryRun.wouldRun.map(\.stage) == ["square", "summarize"])
        let result = try runner.run(manifest, options: options)
        #expect(result.executed == ["square", "summarize"])
        #expect(notebook.console.text.contains("computing square first: \(byName["square"]!.summary)\n"))
        for unselected in ["histogram", "words", "extra"] {
            guard case .notRun(let reason, _) = result.outcome(unselected) else { Issue.record("\(unselected) ran"); continue }
            #expect(reason == "not selected (\(byName[unselected]!.freshness.summary))")
        }
    }

    /// What `nbrun watch` asks for is decided with everything else: a stale stage marked
    /// `watch: manual` is left, with the command that runs it, unless it never ran.
    @Test func aManualStageIsLeftByTheDecisionUnlessItNeverRan() throws {
        let (notebook, overrides) = try notebookWithMixedStaleness()
        let manifest = try notebook.load(overrides)
        let options = notebook.options { $0.leftForManualRun = ["histogram": "nbrun --stage histogram", "extra": "nbrun --stage extra"] }
        let byName = Dictionary(uniqueKeysWithValues: try notebook.runner.status(manifest, options: options).map { ($0.stage.name, $0) })
        let left = "stale, and marked `watch: manual`: run it with nbrun --stage histogram"
        #expect(byName["histogram"]?.action == .leave(reason: left))
        #expect(byName["extra"]?.runs == true)

        let result = try notebook.runner.run(manifest, options: options)
        #expect(result.executed == ["square", "words", "extra"])
        guard case .notRun(let reason, let previous) = result.outcome("histogram") else { Issue.record("histogram ran"); return }
        #expect(reason == left && previous != nil)
    }

    /// When the notebook's code does not compile, nothing runs: the stages that failed to
    /// compile fail, every fresh stage still shows its result, and the rest are left, even
    /// after a failure (which does not stop the others from showing what they have).
    @Test func codeThatDoesNotCompileRunsNothingAndShowsWhatIsFresh() throws {
        let (notebook, overrides) = try notebookWithMixedStaleness()
        let manifest = try notebook.load(overrides)
        let options = notebook.options { $0.codeDoesNotCompile = ["generate": "generate.swift:3: error: boom"] }
        let decisions = try notebook.runner.status(manifest, options: options)
        let byName = Dictionary(uniqueKeysWithValues: decisions.map { ($0.stage.name, $0) })
        #expect(byName["generate"]?.action == .fail(error: "generate.swift:3: error: boom"))
        #expect(byName["summarize"]?.usesCache == true)
        for stale in ["square", "histogram", "words", "extra"] {
            #expect(byName[stale]?.action == .leave(reason: "the notebook's code does not compile"), "\(stale)")
        }
        #expect(decisions.allSatisfy { !$0.isSelected && !$0.runs })

        let result = try notebook.runner.run(manifest, options: options)
        #expect(result.executed.isEmpty && result.exitCode == 1)
        guard case .failed(let error, _, _) = result.outcome("generate") else { Issue.record("generate did not fail"); return }
        #expect(error == "generate.swift:3: error: boom")
        #expect(result.isCached("summarize"))
    }

    /// A fresh result that only the output folder has (its cache removed) is adopted: the
    /// decision says so, and the run adds it to the cache instead of computing it again.
    @Test func aResultOnlyTheOutputFolderHasIsAdopted() throws {
        let notebook = try TestNotebook(Self.manifest)
        try notebook.writeFile("input.txt", "one two three")
        try notebook.run()
        try FileManager.default.removeItem(at: notebook.output.appendingPathComponent(".cache"))
        let manifest = try notebook.load()
        let decisions = try notebook.runner.status(manifest, options: notebook.options())
        #expect(decisions.allSatisfy { if case .adopt = $0.action { true } else { false } }, "\(decisions.map(\.summary))")

        let result = try notebook.runner.run(manifest, options: notebook.options())
        #expect(result.exitCode == 0 && result.executed.isEmpty, "\(notebook.console.text)")
        #expect(try notebook.runner.status(manifest, options: notebook.options()).allSatisfy {
            if case .useCache = $0.action { true } else { false }
        })
    }
}
