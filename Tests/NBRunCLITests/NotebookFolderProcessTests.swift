import Foundation
import NBRunTestSupport
import Testing

/// A notebook kept in a folder outside the repository, as an author keeps one: scaffolded,
/// compiled and run by the nbrun executable, then edited, broken and fixed. Each test has
/// its own folder of compiled notebooks, so every compile it expects really happens.
@Suite("A notebook folder anywhere, compiled by nbrun")
struct NotebookFolderProcessTests {
    let sandbox: Sandbox
    let environment: [String: String]

    init() throws {
        sandbox = try Sandbox()
        environment = ["NBRUN_PLUGIN_CACHE": sandbox.url("plugins").path, "NBRUN_USES": ""]
    }

    func nbrun(_ arguments: [String], timeout: Double = 240) throws -> (status: Int32, output: String) {
        let result = try sandbox.nbrun(arguments, environment: environment, timeout: timeout)
        #expect(!result.timedOut, "nbrun \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        return (result.status, result.output)
    }

    func edit(_ relative: String, _ change: (String) -> String) throws {
        let url = sandbox.url(relative)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(relative) changed nothing")
        try Data(changed.utf8).write(to: url)
    }

    func report(_ output: String) throws -> String {
        try String(contentsOf: sandbox.url("\(output)/report.md"), encoding: .utf8)
    }

    /// Edits a second apart or less, each compiled at once: the compiler's incremental mode
    /// tells changed files by their times, and two writes of a copy within one second once
    /// linked the earlier object and stored it under the new text's key. Every edit's text
    /// must be what runs.
    @Test func editsCompiledWithinOneSecondEachRunTheirOwnCode() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        let manifest = "waves/Waves.manifest", plot = "waves/Stages/PlotStage.swift"
        #expect(try nbrun([manifest, "--output", "out"]).status == 0)
        var previous = "largest sample:"
        for round in 1...8 {
            let label = "largest sample (edit \(round)):"
            try edit(plot) { $0.replacingOccurrences(of: previous, with: label) }
            previous = label
            // `stages` compiles and loads the notebook, and runs nothing: quick enough that
            // the next edit's copy is written within the same second, most rounds.
            let stages = try nbrun(["stages", manifest])
            #expect(stages.status == 0, "round \(round): \(stages.output)")
        }
        let run = try nbrun([manifest, "--output", "out"])
        #expect(run.status == 0 && run.output.contains("\(previous) "), "\(run.output)")
        // A compile error after a quick edit is an error, not the last build's code.
        try edit(plot) { $0 + "\n}\n" }
        let broken = try nbrun([manifest, "--output", "out"])
        #expect(broken.status != 0 && broken.output.contains("does not compile"), "\(broken.output)")
    }

    @Test func scaffoldedRunEditedBrokenFixedAndJoinedByASecondNotebook() throws {
        let created = try nbrun(["new", "Waves", "notebooks/waves"])
        #expect(created.status == 0, "\(created.output)")
        let manifest = "notebooks/waves/Waves.manifest"

        let first = try nbrun([manifest, "--output", "out"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("compiling \(sandbox.url("notebooks/waves").path)"))
        #expect(first.output.contains("✓ generate") && first.output.contains("✓ plot"), "\(first.output)")
        #expect(try report("out").contains("largest sample:"))

        // Nothing changed: nothing is compiled, nothing runs.
        let again = try nbrun([manifest, "--output", "out"])
        #expect(again.status == 0 && !again.output.contains("compiling"), "\(again.output)")
        #expect(again.output.contains("cached: generate, plot"), "\(again.output)")

        // A one-line edit to one stage: only that stage runs, with the new code.
        let plot = "notebooks/waves/Stages/PlotStage.swift"
        try edit(plot) { $0.replacingOccurrences(of: "largest sample:", with: "highest sample:") }
        let why = try nbrun(["why", manifest, "plot", "--output", "out"])
        #expect(why.output.contains("compiling") && why.output.contains("code changed"), "\(why.output)")
        let edited = try nbrun([manifest, "--output", "out"])
        #expect(edited.status == 0, "\(edited.output)")
        #expect(edited.output.contains("✓ plot") && !edited.output.contains("✓ generate"), "\(edited.output)")
        #expect(try report("out").contains("highest sample:"))

        // A compile error: the compiler's message at the file, line and column in the folder;
        // the last good results stay.
        let generate = "notebooks/waves/Stages/GenerateStage.swift"
        let original = try String(contentsOf: sandbox.url(generate), encoding: .utf8)
        let lines = original.components(separatedBy: "\n")
        let runLine = try #require(lines.firstIndex { $0.contains("func run(") })
        var brokenLines = lines
        brokenLines.insert("        let broken: Int = \"not a number\"", at: runLine + 1)
        try Data(brokenLines.joined(separator: "\n").utf8).write(to: sandbox.url(generate))
        let samples = try Data(contentsOf: sandbox.url("out/generate/samples.json"))
        let failed = try nbrun([manifest, "--output", "out"])
        #expect(failed.status == 1, "\(failed.output)")
        let location = "\(sandbox.url(generate).path):\(runLine + 2):27: error:"
        #expect(failed.output.contains(location), "\(failed.output)")
        // The report is written: the stage shows the message, the others their last results.
        let broken = try report("out")
        #expect(broken.contains("This stage failed:") && broken.contains(location), "\(broken)")
        #expect(broken.contains("highest sample:"), "plot keeps its last good result")
        #expect(try Data(contentsOf: sandbox.url("out/generate/samples.json")) == samples, "no result is lost")

        // Fixed again: the same code as before, so its results come back from the cache.
        try Data(original.utf8).write(to: sandbox.url(generate))
        let fixed = try nbrun([manifest, "--output", "out"])
        #expect(fixed.status == 0, "\(fixed.output)")
        #expect(!fixed.output.contains("✓ generate"), "\(fixed.output)")

        // A second notebook beside the first: both stay runnable, each with its own stages.
        #expect(try nbrun(["new", "Tides", "notebooks/tides"]).status == 0)
        try edit("notebooks/tides/Tides.manifest") { $0.replacingOccurrences(of: "{periods: 3}", with: "{periods: 4}") }
        let tides = try nbrun(["notebooks/tides/Tides.manifest", "--output", "tides-out"])
        #expect(tides.status == 0, "\(tides.output)")
        #expect(tides.output.contains("256 samples over 4 periods"), "\(tides.output)")
        let wavesAgain = try nbrun([manifest, "--output", "out"])
        #expect(wavesAgain.status == 0 && wavesAgain.output.contains("cached: generate, plot"), "\(wavesAgain.output)")
        let stages = try nbrun(["stages", "notebooks/tides/Tides.manifest"])
        #expect(stages.output.contains("tides.generate") && !stages.output.contains("waves."), "\(stages.output)")
    }

    @Test func aNotebookBesideItsManifestUsesAnotherNotebooksStages() throws {
        #expect(try nbrun(["new", "Waves", "lab/waves"]).status == 0)
        // The repository's layout: the manifest beside its code folder, using another's stages.
        try sandbox.file("lab/Study.manifest", """
            title: Study
            uses: [waves/Waves.manifest]
            cells:
              - stage: generate
                kind: waves.generate
              - stage: count
                kind: study.count
                reads: [generate]
            """)
        try sandbox.file("lab/Study/StudyPlugin.swift", "import NBRun\n\npublic struct StudyPlugin: StagePlugin {\n    public init() {}\n    public let name = \"study\"\n}\n")
        try sandbox.file("lab/Study/Stages/Count.swift", """
            import Foundation
            import NBRun

            struct CountStage: Stage {
                static let name = "count"
                static let summary = "Counts the bytes of the samples."

                func run(_ context: StageContext) throws {
                    let bytes = try Data(contentsOf: context.inputArtifact("samples.json")).count
                    context.print("samples.json has \\(bytes > 100 ? "more" : "fewer") than 100 bytes")
                }
            }
            """)
        let run = try nbrun(["lab/Study.manifest", "--output", "study"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("samples.json has more than 100 bytes"), "\(run.output)")
        // The waves folder is the other manifest's code, not this one's.
        #expect(run.output.components(separatedBy: "compiling").count == 3, "two notebooks, each compiled once: \(run.output)")
    }

    @Test func codeNbrunMustNotReadIsRefusedByName() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        try sandbox.file("elsewhere/Outside.swift", "let outside = 1\n")
        try sandbox.link("waves/Outside.swift", to: sandbox.url("elsewhere/Outside.swift").path)
        let linked = try nbrun(["waves/Waves.manifest", "--output", "out"])
        #expect(linked.status == 2, "\(linked.output)")
        #expect(linked.output.contains("\(sandbox.url("waves/Outside.swift").path) is a symbolic link"), "\(linked.output)")
        try FileManager.default.removeItem(at: sandbox.url("waves/Outside.swift"))

        try sandbox.fifo("waves/Stages/Pipe.swift")
        let fifo = try nbrun(["waves/Waves.manifest", "--output", "out"], timeout: 60)
        #expect(fifo.status == 2 && fifo.output.contains("Pipe.swift is a FIFO"), "\(fifo.output)")
        try FileManager.default.removeItem(at: sandbox.url("waves/Stages/Pipe.swift"))

        try sandbox.file("waves/Huge.swift", String(repeating: "// padding\n", count: 100_000))
        let huge = try nbrun(["waves/Waves.manifest", "--output", "out"])
        #expect(huge.status == 2 && huge.output.contains("Huge.swift is larger than"), "\(huge.output)")
        try FileManager.default.removeItem(at: sandbox.url("waves/Huge.swift"))
        #expect(!sandbox.exists("out/generate"), "nothing ran while the code was refused")
        #expect(try nbrun(["waves/Waves.manifest", "--output", "out"]).status == 0)
    }

    @Test func aPluginOfAnotherBuildIsRebuiltNeverLoaded() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        #expect(try nbrun(["stages", "waves/Waves.manifest"]).status == 0)
        let compiled = try FileManager.default.contentsOfDirectory(atPath: sandbox.url("plugins").path)
            .filter { $0.hasPrefix("WavesNotebook-") && !$0.hasSuffix(".lock") }
        #expect(compiled.count == 1)
        // The library says which build it is for; one that says another is compiled again.
        try Data("another-build".utf8).write(to: sandbox.url("plugins/\(compiled[0])/nbrun-build"))
        let again = try nbrun(["stages", "waves/Waves.manifest"])
        #expect(again.status == 0 && again.output.contains("compiling"), "\(again.output)")
        #expect(again.output.contains("waves.generate"))
    }

    @Test func twoRunsCompilingOneNotebookTakeTurns() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        let binary = try #require(nbrunBinary)
        let runs = try (0..<2).map { index in
            try RunningNBRun(binary, ["waves/Waves.manifest", "--output", "out\(index)"], in: sandbox.root,
                             environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        }
        var outputs: [String] = []
        for run in runs {
            #expect(run.ended(within: 240), "a run did not finish")
            let (status, output) = run.finish()
            #expect(status == 0, "\(output)")
            outputs.append(output)
        }
        let compiles = outputs.map { $0.components(separatedBy: "nbrun: compiling").count - 1 }
        #expect(compiles.reduce(0, +) == 1, "one run compiled, the other waited or found it: \(outputs)")
        #expect(outputs.allSatisfy { $0.contains("✓ plot") })
    }

    /// A stage that traps, overflows its stack or exhausts memory is a failed cell: its
    /// message and line in the terminal and the report, exit 1, the other stages' results
    /// kept, and `--keep-going` goes on with the stages that do not read it.
    @Test(arguments: [
        ("index", "Fatal error: Index out of range, at "),
        ("stack", "a stack overflow or a bad memory access"),
        ("memory", "Fatal error: failed to allocate"),
    ])
    func aCrashingStageIsAFailedCell(mode: String, message: String) throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        let boom = """
            import NBRun

            struct BoomStage: Stage {
                static let name = "boom"
                static let summary = "Crashes the way it is asked to."

                @Parameter(help: "index, stack or memory.") var mode = "index"

                func run(_ context: StageContext) throws {
                    context.print("about to crash")
                    let values = [1, 2, 3]
                    switch mode {
                    case "stack": context.print("\\(deeper(0))")
                    case "memory": context.print("\\([UInt8](repeating: 1, count: 1 << 44)[3])")
                    default: context.print("\\(values[values.count + 1])")
                    }
                }

                func deeper(_ depth: Int) -> Int { depth == Int.min ? 0 : deeper(depth &+ 1) &+ 1 }
            }
            """
        try sandbox.file("waves/Stages/BoomStage.swift", boom)
        try edit("waves/Waves.manifest") {
            $0.replacingOccurrences(of: "  - kind: waves.plot\n", with: "  - stage: boom\n    kind: waves.boom\n    parameters: {mode: \(mode)}\n    reads: [generate]\n  - kind: waves.plot\n")
        }
        let run = try nbrun(["waves/Waves.manifest", "--output", "out", "--keep-going"])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("✗ boom failed: ") && run.output.contains(message), "\(run.output)")
        if mode == "index" {
            let line = try #require(boom.components(separatedBy: "\n").firstIndex { $0.contains("values[values.count + 1]") })
            #expect(run.output.contains("\(sandbox.url("waves/Stages/BoomStage.swift").path):\(line + 1):"), "\(run.output)")
        }
        #expect(run.output.contains("✓ generate") && run.output.contains("✓ plot"), "--keep-going ran the rest: \(run.output)")
        let report = try report("out")
        #expect(report.contains("This stage failed:") && report.contains(message), "the report shows the crash at its cell")
        #expect(report.contains("largest sample:"), "the other stages' results are in the report")

        // Without --keep-going the run stops after it, and what ran before stays cached.
        let again = try nbrun(["waves/Waves.manifest", "--output", "out", "--force"])
        #expect(again.status == 1 && again.output.contains(message), "\(again.output)")
        #expect(!again.output.contains("✓ plot"), "\(again.output)")
    }

    /// The examples of the libraries' article compile as stages, and the ones that need no
    /// data run: an author can copy them as they are.
    @Test func theLibraryExamplesCompileAndRun() throws {
        let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/NBRun/NBRun.docc/NotebookLibraries.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        let blocks = text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 4)
        try sandbox.file("doc/DocPlugin.swift", "import NBRun\n\npublic struct DocPlugin: StagePlugin {\n    public init() {}\n    public let name = \"doc\"\n}\n")
        var cells: [String] = []
        for (index, block) in blocks.enumerated() {
            let lines = block.components(separatedBy: "\n")
            let imports = lines.filter { $0.hasPrefix("import ") }
            let body = lines.filter { !$0.hasPrefix("import ") }.map { "    " + $0 }.joined(separator: "\n")
            try sandbox.file("doc/Stages/Example\(index).swift", imports.joined(separator: "\n")
                + "\n\nstruct Example\(index)Stage: Stage {\n    static let name = \"example\(index)\"\n    static let summary = \"An example.\"\n\n\(body)\n}\n")
            // The first and last read MNIST through load-data; the others run here.
            if index == 1 || index == 2 { cells.append("  - stage: example\(index)\n    kind: doc.example\(index)") }
        }
        try sandbox.file("doc/Doc.manifest", "title: Examples\ncells:\n" + cells.joined(separator: "\n") + "\n")
        let run = try nbrun(["doc/Doc.manifest", "--output", "out"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("✓ example1") && run.output.contains("✓ example2"), "\(run.output)")
        let stages = try nbrun(["stages", "doc/Doc.manifest"])
        #expect(stages.output.contains("doc.example0") && stages.output.contains("doc.example3"), "\(stages.output)")
    }

    /// The notebook's folder edited, then deleted, while a stage runs: the run goes on with
    /// the code it compiled and read, to the end and its report.
    @Test func theFolderEditedThenDeletedDuringARun() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        try sandbox.file("waves/Stages/WaitStage.swift", """
            import Foundation
            import NBRun

            struct WaitStage: Stage {
                static let name = "wait"
                static let summary = "Waits, a step at a time."

                func run(_ context: StageContext) throws {
                    context.print("waiting")
                    for step in 0..<100 {
                        if context.isCancelled { throw CancellationError() }
                        if step == 1 { context.print("step 1") }
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    context.print("done waiting")
                }
            }
            """)
        try edit("waves/Waves.manifest") { $0.replacingOccurrences(of: "  - kind: waves.plot\n", with: "  - stage: wait\n    kind: waves.wait\n  - kind: waves.plot\n") }
        let binary = try #require(nbrunBinary)
        let run = try RunningNBRun(binary, ["waves/Waves.manifest", "--output", "out"], in: sandbox.root,
                                   environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                   logFolder: sandbox.root)
        try run.waitForOutput(containing: "step 1", timeout: 240)
        try edit("waves/Stages/PlotStage.swift") { $0.replacingOccurrences(of: "largest sample:", with: "edited meanwhile:") }
        try FileManager.default.removeItem(at: sandbox.url("waves"))
        #expect(run.ended(within: 120), "\(run.output)")
        let (status, output) = run.finish()
        #expect(status == 0, "\(output)")
        #expect(output.contains("done waiting") && output.contains("largest sample:") && !output.contains("edited meanwhile"), "\(output)")
        #expect(try report("out").contains("largest sample:"))
    }

    /// Installed as a user installs it, then used from a folder outside the repository with
    /// nothing but the system on PATH: the installed nbrun compiles against what it installed.
    @Test func theInstalledNbrunRunsANotebookAnywhere() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let install = Process()
        install.executableURL = repository.appendingPathComponent("Scripts/install")
        install.arguments = [sandbox.url("prefix").path]
        install.environment = ProcessInfo.processInfo.environment.merging(["NBRUN_INSTALL_CONFIGURATION": "debug", "NBRUN_INSTALL_PREBUILT": "1"]) { $1 }
        install.standardOutput = FileHandle.nullDevice
        install.standardError = FileHandle.nullDevice
        try install.run()
        install.waitUntilExit()
        #expect(install.terminationStatus == 0)
        let installed = sandbox.url("prefix/bin/nbrun")
        #expect(FileManager.default.isExecutableFile(atPath: installed.path))
        #expect(FileManager.default.fileExists(atPath: sandbox.url("prefix/lib/nbrun/Modules/NBRun.swiftmodule").path))

        func installedNbrun(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = installed
            process.arguments = arguments
            process.currentDirectoryURL = sandbox.root
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": sandbox.url("home").path,
                                   "NBRUN_PLUGIN_CACHE": sandbox.url("installed-plugins").path]
            let log = sandbox.url("installed.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            process.waitUntilExit()
            try handle.close()
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        #expect(try installedNbrun(["new", "Tides", "notebooks/tides"]).status == 0)
        let run = try installedNbrun(["notebooks/tides/Tides.manifest", "--output", "tides"])
        #expect(run.status == 0 && run.output.contains("compiling") && run.output.contains("✓ plot"), "\(run.output)")
    }

    /// In a sweep, a crash fails the variant that crashed, not the stage in every variant;
    /// a link to data outside the notebook's folder is the user's business.
    @Test func aCrashInOneVariantOfASweepFailsThatVariantOnly() throws {
        #expect(try nbrun(["new", "Waves", "waves"]).status == 0)
        try sandbox.file("elsewhere/data.txt", "data\n")
        try sandbox.link("waves/data", to: sandbox.url("elsewhere").path)
        try sandbox.file("waves/Stages/MaybeStage.swift", """
            import NBRun

            struct MaybeStage: Stage {
                static let name = "maybe"
                static let summary = "Traps when asked to."

                @Parameter(help: "Whether to trap.") var trap = false

                func run(_ context: StageContext) throws {
                    let values = [1, 2, 3]
                    context.print(trap ? "\\(values[values.count])" : "no trap")
                }
            }
            """)
        try edit("waves/Waves.manifest") { $0.replacingOccurrences(of: "  - kind: waves.plot\n", with: "  - stage: maybe\n    kind: waves.maybe\n  - kind: waves.plot\n") }
        let sweep = try nbrun(["waves/Waves.manifest", "--output", "out", "--sweep", "maybe.trap=true,false", "--keep-going"])
        #expect(sweep.status != 0, "\(sweep.output)")
        #expect(sweep.output.components(separatedBy: "✗ maybe failed: Fatal error: Index out of range").count == 2, "\(sweep.output)")
        #expect(sweep.output.contains("no trap"), "the other variant ran: \(sweep.output)")
    }
}
