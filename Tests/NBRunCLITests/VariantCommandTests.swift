import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

/// `runs`, `--sweep` and `gc` through the real executable: output, JSON, exit codes, and
/// what a bad argument says.
@Suite("runs, --sweep and gc on the command line")
struct VariantCommandTests {
    func nbrun(_ arguments: [String], in notebook: TestNotebook) throws -> (status: Int32, output: String) {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        return try RunningNBRun(binary, arguments, in: notebook.folder).finish()
    }

    @Test func sweepThenRunsAsTextAndJSONThenGC() throws {
        let notebook = try TestNotebook()
        let sweep = try nbrun(["Test.manifest", "--output", "out", "--sweep", "generate.count=4,6", "--metric", "summarize.mean"], in: notebook)
        #expect(sweep.status == 0, "\(sweep.output)")
        #expect(sweep.output.contains("── sweep variant 2/2: generate.count=6"))
        #expect(sweep.output.contains("sweep report: \(notebook.output.path)/sweep.md, \(notebook.output.path)/sweep.png"))
        let chart = notebook.output.appendingPathComponent("sweep.png")
        #expect(try Data(contentsOf: chart).prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")

        let runs = try nbrun(["runs", "Test.manifest", "--output", "out"], in: notebook)
        #expect(runs.status == 0)
        #expect(runs.output.contains("summarize: 2 variants"))
        #expect(runs.output.contains("generate.count  count  mean"), "\(runs.output)")
        let json = try nbrun(["runs", "Test.manifest", "--output", "out", "--json"], in: notebook)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let table = try decoder.decode(VariantTable.self, from: Data(json.output.utf8))
        #expect(table.rows.count == 8)
        #expect(Set(table.rows.filter { $0.stage == "summarize" }.compactMap { $0.metrics["count"] }) == [4, 6])

        let gc = try nbrun(["gc", "Test.manifest", "--output", "out", "--keep-last", "0"], in: notebook)
        #expect(gc.status == 0, "\(gc.output)")
        #expect(gc.output.contains("removed 4 variants"), "\(gc.output)")
        #expect(try nbrun(["Test.manifest", "--output", "out", "--set", "generate.count=6"], in: notebook).output.contains("cached: generate, square, summarize, histogram"))
    }

    @Test func badArgumentsAreUsageErrorsNamingTheValue() throws {
        let notebook = try TestNotebook()
        let cases: [([String], String)] = [
            (["Test.manifest", "--sweep", "generate.count=1,,2"], "invalid --sweep 'generate.count=1,,2': a value is empty"),
            (["Test.manifest", "--sweep", "generate.count=1,2", "--set", "generate.count=3"], "generate.count is both swept and set with --set"),
            (["Test.manifest", "--metric", "summarize.mean"], "--metric chooses what a sweep charts; add --sweep"),
            (["Test.manifest", "--sweep", "generate.count=1,many"], "many"),
            (["gc", "Test.manifest"], "give exactly one of --keep-last N and --max-size SIZE"),
            (["gc", "Test.manifest", "--max-size", "12Q"], "--max-size '12Q' is not a size"),
        ]
        for (arguments, message) in cases {
            let result = try nbrun(arguments, in: notebook)
            #expect(result.status == 2 || result.status == 64, "\(arguments): \(result.status) \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("output").path), "nothing ran")
    }

    @Test func runsOnAFolderOfTheEarlierLayoutSaysSo() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        // As main's nbrun left it: no cache, marker format 1.
        try NoFollowRemoval.removeTree(atPath: notebook.output.appendingPathComponent(".cache").path)
        let marker = notebook.output.appendingPathComponent(".nbrun-output")
        let text = try String(contentsOf: marker, encoding: .utf8).replacingOccurrences(of: "\"format\" : 2", with: "\"format\" : 1")
        try Data(text.utf8).write(to: marker)
        let runs = try nbrun(["runs", "Test.manifest", "--output", "out"], in: notebook)
        #expect(runs.output.contains("was written by an earlier nbrun (one result per stage)"), "\(runs.output)")
    }
}
