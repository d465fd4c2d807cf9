import Foundation
import Testing

/// A run that fails before any stage runs (a device, a FIFO or a missing file as data),
/// through the real executable: a folder the run made for nothing is taken back whole,
/// an empty folder it adopted is left empty again, and a folder that was already nbrun's,
/// or holds the user's files, keeps exactly what it held.
@Suite("A run failing before any stage leaves no litter")
struct FailedStartProcessTests {
    static let manifest = """
        title: failing early
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 3}
          - stage: words
            kind: demo.count-words
            parameters: {text: words.txt}
        """

    func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.file("nb/words.txt", "one two three\n")
        try sandbox.file("nb/Test.manifest", Self.manifest)
        try sandbox.fifo("nb/pipe")
        return sandbox
    }

    static let failures: [(value: String, message: String, status: Int32)] = [
        ("/dev/zero", "/dev/zero: it is a character device, not a regular file", 1),
        ("pipe", "pipe: it is a FIFO (named pipe), not a regular file", 1),
        ("no-such.txt", "names 'no-such.txt', which does not exist", 2),
    ]

    @Test func aFolderTheRunCreatedIsRemoved() throws {
        let sandbox = try sandbox()
        let before = sandbox.snapshot()
        for (value, message, status) in Self.failures {
            for output in ["o", "deeper/o"] {
                let result = try sandbox.nbrun(["Test.manifest", "--output", output, "--set", "words.text=\(value)"], in: "nb")
                #expect(result.status == status, "\(value): \(result.output)")
                #expect(result.output.contains(message), "\(value): \(result.output)")
                #expect(!sandbox.exists("nb/\(output)"), "\(value): the folder this run created stays: \(result.output)")
            }
        }
        // `deeper/`, made like `mkdir -p` on the way, is left: only the output folder was marked as nbrun's.
        #expect(sandbox.snapshot().differences(from: before).allSatisfy { $0.hasPrefix("nb/deeper:") }, "\(sandbox.snapshot().differences(from: before))")
    }

    /// The LSTM notebook's typo from the issue: `--set build-model.weights=/dev/zero`.
    @Test func theWeightsTypoLeavesNoOutputFolder() throws {
        let sandbox = try sandbox()
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Notebooks/LSTM.manifest")
        let result = try sandbox.nbrun(["run", manifest.path, "--output", "o", "--set", "build-model.weights=/dev/zero"], timeout: 30)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("cannot read /dev/zero: it is a character device, not a regular file"), "\(result.output)")
        #expect(!sandbox.exists("o"), "\(result.output)")
    }

    @Test func anEmptyFolderTheRunAdoptedIsLeftEmpty() throws {
        let sandbox = try sandbox()
        try sandbox.folder("nb/o")
        let before = sandbox.snapshot()
        for (value, message, status) in Self.failures {
            let result = try sandbox.nbrun(["Test.manifest", "--output", "o", "--set", "words.text=\(value)"], in: "nb")
            #expect(result.status == status, "\(value): \(result.output)")
            #expect(result.output.contains(message), "\(value): \(result.output)")
            #expect(sandbox.snapshot().differences(from: before) == [], "\(value): \(result.output)")
        }
        // Still the user's: a run that works adopts it, and `clean` leaves it.
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        #expect(try sandbox.nbrun(["clean", "Test.manifest", "--output", "o"], in: "nb").status == 0)
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    @Test func aFolderHoldingResultsKeepsThem() throws {
        let sandbox = try sandbox()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        // The lock file records its last holder's pid; everything else must stay as it was.
        let before = sandbox.snapshot { $0 == "nb/o/.lock" }
        for (value, message, status) in Self.failures {
            let result = try sandbox.nbrun(["Test.manifest", "--output", "o", "--set", "words.text=\(value)"], in: "nb")
            #expect(result.status == status, "\(value): \(result.output)")
            #expect(result.output.contains(message), "\(value): \(result.output)")
            #expect(sandbox.snapshot { $0 == "nb/o/.lock" }.differences(from: before) == [], "\(value): \(result.output)")
        }
    }

    /// A folder nbrun marked earlier that holds nothing but its marker (a `clean` that left
    /// foreign files, since removed) was not made by this run: it is left as it was.
    @Test func aMarkedFolderFromAnEarlierRunIsLeftAsItWas() throws {
        let sandbox = try sandbox()
        #expect(try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb").status == 0)
        try sandbox.file("nb/o/notes.txt", "mine\n")
        #expect(try sandbox.nbrun(["clean", "Test.manifest", "--output", "o"], in: "nb").status == 0)
        try FileManager.default.removeItem(at: sandbox.url("nb/o/notes.txt"))
        let before = sandbox.snapshot { $0 == "nb/o/.lock" }
        #expect(sandbox.exists("nb/o/.nbrun-output"))
        let result = try sandbox.nbrun(["Test.manifest", "--output", "o", "--set", "words.text=/dev/zero"], in: "nb")
        #expect(result.status == 1, "\(result.output)")
        #expect(sandbox.exists("nb/o/.nbrun-output"), "\(result.output)")
        let after = sandbox.snapshot { $0 == "nb/o/.lock" || $0.hasPrefix("nb/o/.cache") }
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
    }

    @Test func aFolderHoldingTheUsersFilesIsUntouched() throws {
        let sandbox = try sandbox()
        try sandbox.file("nb/o/mine.txt", "mine\n")
        try sandbox.file("nb/o/sub/also-mine.txt", "mine too\n")
        let before = sandbox.snapshot()
        for (value, _, status) in Self.failures {
            let result = try sandbox.nbrun(["Test.manifest", "--output", "o", "--set", "words.text=\(value)"], in: "nb")
            #expect(result.status == status, "\(value): \(result.output)")
            #expect(sandbox.snapshot().differences(from: before) == [], "\(value): \(result.output)")
        }
    }

    /// A failure inside a stage is reported: the folder keeps the report that explains it.
    @Test func aStageThatFailsKeepsItsReport() throws {
        let sandbox = try sandbox()
        try sandbox.file("nb/Fail.manifest", """
            title: failing stage
            cells:
              - stage: fail
                kind: demo.fail
                parameters: {should-fail: true, message: boom}
            """)
        let result = try sandbox.nbrun(["Fail.manifest", "--output", "o"], in: "nb")
        #expect(result.status == 1, "\(result.output)")
        let report = try String(contentsOf: sandbox.url("nb/o/report.md"), encoding: .utf8)
        #expect(report.contains("boom"), "\(report)")
        #expect(sandbox.exists("nb/o/report.html"))
    }
}
