import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defects 8 and 9: a `--cache` inside a folder a stage reads as data made that
/// data change on every run (every stage stale for ever), and a Slurm task took its cache from
/// the submission record without any of the checks `--cache` gets on the command line.
@Suite("The --cache checks apply to data folders and to Slurm tasks")
struct CacheEverywhereTests {
    let sandbox: Sandbox

    init() throws {
        sandbox = try Sandbox()
        try sandbox.file("Test.manifest", """
            title: cache checks
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: data}
            """)
        try sandbox.file("data/words.txt", "one two three\n")
    }

    @Test func aCacheInsideADataFolderIsRefusedByName() throws {
        let result = try sandbox.nbrun(["Test.manifest", "--output", "out", "--cache", "data/cache"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("it is inside \(sandbox.url("data").resolvingSymlinksInPath().path), which words.text reads as data"),
                "\(result.output)")
        #expect(!sandbox.exists("data/cache") && !sandbox.exists("out"), "nothing was written")
        // Beside the file the stage reads (not inside what it reads) it is accepted, and the
        // second run computes nothing.
        let beside = ["Test.manifest", "--output", "out", "--cache", "data/cache", "--set", "words.text=data/words.txt"]
        let run = try sandbox.nbrun(beside)
        #expect(run.status == 0, "\(run.output)")
        let again = try sandbox.nbrun(beside)
        #expect(again.status == 0 && !again.output.contains("▶ "), "\(again.output)")
    }

    /// A hand-written record naming a user's folder, an empty path, or the output folder
    /// itself as the cache: the task stops with the record's name and writes nothing there.
    @Test func aSlurmTaskChecksTheRecordsCache() throws {
        try sandbox.file("mine/mine.txt", "a user's file\n")
        let cases: [(cache: String, expected: String)] = [
            (sandbox.url("mine").path, "it holds entries nbrun did not write (mine.txt)"),
            ("", "the --cache path is empty"),
            (sandbox.url("out").path, "it is the output folder"),
        ]
        for (cache, expected) in cases {
            let record = try sandbox.file("out/slurm/sweep.json", """
                {"format": 1, "manifest": "\(sandbox.url("Test.manifest").path)", "fixed": [], "axes": ["words.text=data"],
                 "outputDirectory": "\(sandbox.url("out").path)", "cacheDirectory": "\(cache)", "variants": [["words.text=data"]],
                 "submissions": [{"submittedAt": "2026-11-26T12:00:00Z", "nbrun": "/x/nbrun", "arrayJobID": "", "sbatchArguments": [],
                                  "tasks": [{"variant": 0, "jobID": "", "log": ""}]}]}
                """)
            let result = try sandbox.nbrun(["slurm-task", record.path, "--submission", "0"], in: "mine",
                                           environment: ["SLURM_ARRAY_TASK_ID": "0"])
            #expect(result.status == 1, "\(cache): \(result.output)")
            #expect(result.output.contains(record.path) && result.output.contains(expected), "\(cache): \(result.output)")
            for name in ["stages", "objects", "locks"] {
                #expect(!sandbox.exists("mine/\(name)") && !sandbox.exists("out/\(name)"), "\(cache): \(name) was written")
            }
            #expect(!sandbox.exists("out/words"), "\(cache): the task ran")
        }
    }
}
