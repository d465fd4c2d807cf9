import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

/// Issue 11 through the real executable: nbrun writes, replaces and deletes only what it
/// wrote. Every test snapshots the user's files first and proves they are untouched after.
@Suite("nbrun deletes and overwrites only what it wrote")
struct OwnershipProcessTests {
    static let manifest = """
        title: ownership
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 5}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: words
            kind: demo.count-words
            parameters: {text: words.txt}
        """

    /// A sandbox holding `proj/important.txt` and the notebook in `proj/nb/` with `output:` set.
    func project(output: String? = nil) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.file("proj/important.txt", "keep me\n")
        try sandbox.file("proj/nb/words.txt", "one two three\n")
        try sandbox.file("proj/nb/Test.manifest", (output.map { "output: \($0)\n" } ?? "") + Self.manifest)
        return sandbox
    }

    @Test func outputAboveTheManifestIsRefusedByRunAndClean() throws {
        let sandbox = try project(output: "..")
        let before = sandbox.snapshot()
        for command in [["clean", "Test.manifest"], ["Test.manifest"], ["Test.manifest", "--force"]] {
            let result = try sandbox.nbrun(command, in: "proj/nb")
            #expect(result.status == 1, "\(command): \(result.output)")
            #expect(result.output.contains("refusing to use \(sandbox.url("proj").path) as the output folder: it is a folder above the manifest"),
                    "\(result.output)")
        }
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    @Test func unmarkedFolderWithFilesIsRefusedAndLeftAsItWas() throws {
        let sandbox = try project(output: "existing")
        try sandbox.file("proj/nb/existing/keep/file.txt", "mine\n")
        try sandbox.file("proj/nb/existing/generate/mine.txt", "also mine\n")
        let before = sandbox.snapshot()
        let clean = try sandbox.nbrun(["clean", "Test.manifest"], in: "proj/nb")
        #expect(clean.status == 1)
        #expect(clean.output.contains("output folder \(sandbox.url("proj/nb/existing").path) was not created by nbrun and is not empty (it holds generate/, keep/)"),
                "\(clean.output)")
        let run = try sandbox.nbrun(["Test.manifest"], in: "proj/nb")
        #expect(run.status == 1)
        #expect(run.output.contains("choose another --output, or empty the folder"), "\(run.output)")
        let status = try sandbox.nbrun(["status", "Test.manifest"], in: "proj/nb")
        #expect(status.output.contains("note: output folder \(sandbox.url("proj/nb/existing").path) was not created by nbrun"), "\(status.output)")
        #expect(sandbox.snapshot().differences(from: before) == [], "nothing written, nothing deleted")
    }

    @Test func emptyFolderIsAdoptedAndCleanEmptiesItAgainOnlyWhenNothingForeignIsLeft() throws {
        let sandbox = try project(output: "out")
        try sandbox.folder("proj/nb/out")
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        #expect(sandbox.exists("proj/nb/out/.nbrun-output"))
        try sandbox.file("proj/nb/out/notes.txt", "mine\n")
        try sandbox.file("proj/nb/out/square/extra.txt", "mine too\n")
        let clean = try sandbox.nbrun(["clean", "Test.manifest"], in: "proj/nb")
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("left in place, not written by nbrun:\n  square/extra.txt\n  notes.txt"), "\(clean.output)")
        #expect(try String(contentsOf: sandbox.url("proj/nb/out/notes.txt"), encoding: .utf8) == "mine\n")
        #expect(try String(contentsOf: sandbox.url("proj/nb/out/square/extra.txt"), encoding: .utf8) == "mine too\n")
        for gone in ["generate", "words", "report.md", "square/record.json", "square/squares.txt"] {
            #expect(!sandbox.exists("proj/nb/out/\(gone)"), "\(gone)")
        }
        #expect(sandbox.exists("proj/nb/out/.nbrun-output"), "the mark stays while foreign files remain")
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/notes.txt"))
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/square/extra.txt"))
        let second = try sandbox.nbrun(["clean", "Test.manifest"], in: "proj/nb")
        #expect(second.output.contains("which was empty before nbrun used it and stays"), "\(second.output)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: sandbox.url("proj/nb/out").path)) == [],
                "the adopted folder stays, empty, as the user made it")
        // A folder nbrun created goes entirely.
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out"))
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        let third = try sandbox.nbrun(["clean", "Test.manifest"], in: "proj/nb")
        #expect(third.output.contains("removed \(sandbox.url("proj/nb/out").path)"), "\(third.output)")
        #expect(!sandbox.exists("proj/nb/out"))
    }

    @Test func userFolderNamedLikeAStageIsNeverReplaced() throws {
        let sandbox = try project(output: "out")
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/generate"))
        try sandbox.file("proj/nb/out/generate/mine.txt", "mine\n")
        // The lock file is nbrun's and records the last holder's pid; everything else must stay.
        let withoutLock: (String) -> Bool = { $0 == "proj/nb/out/.lock" }
        let before = sandbox.snapshot(skip: withoutLock)
        for command in [["Test.manifest"], ["Test.manifest", "--force"], ["Test.manifest", "--stage", "generate"]] {
            let run = try sandbox.nbrun(command, in: "proj/nb")
            #expect(run.status == 1, "\(command): \(run.output)")
            #expect(run.output.contains("stage folder \(sandbox.url("proj/nb/out/generate").path) is not an nbrun result (it has no record.json)"),
                    "\(run.output)")
        }
        #expect(sandbox.snapshot(skip: withoutLock).differences(from: before) == [])
        // A file beside a stage's recorded artifacts blocks its replacement too.
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/generate"))
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        try sandbox.file("proj/nb/out/generate/notes.txt", "mine\n")
        let forced = try sandbox.nbrun(["Test.manifest", "--force"], in: "proj/nb")
        #expect(forced.status == 1)
        #expect(forced.output.contains("it holds notes.txt, not written there by nbrun"), "\(forced.output)")
        #expect(sandbox.exists("proj/nb/out/generate/notes.txt"))
        // An artifact swapped for a link is not nbrun's either: refused, the link and its target kept.
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/generate/notes.txt"))
        try sandbox.file("elsewhere.txt", "mine\n")
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/generate/numbers.txt"))
        try sandbox.link("proj/nb/out/generate/numbers.txt", to: sandbox.url("elsewhere.txt").path)
        let linked = try sandbox.nbrun(["Test.manifest"], in: "proj/nb")
        #expect(linked.status == 1)
        #expect(linked.output.contains("it holds numbers.txt (a symbolic link), not written there by nbrun"), "\(linked.output)")
        #expect(try String(contentsOf: sandbox.url("elsewhere.txt"), encoding: .utf8) == "mine\n")
    }

    @Test func dangerousTargetsAreRefused() throws {
        let sandbox = try project()
        try sandbox.folder("home")
        try sandbox.file("home/precious.txt", "mine\n")
        try sandbox.folder("proj/.git")
        try sandbox.link("proj/nb/to-home", to: sandbox.url("home").path)
        let before = sandbox.snapshot()
        let home = ["HOME": sandbox.url("home").path]
        let cases: [(output: String, message: String)] = [
            (sandbox.url("home").path, "it is the home folder"),
            ("to-home", "it is the home folder"),
            (".", "it is the manifest's own folder"),
            ("..", "it is the root of the repository that holds the manifest"),
            ("../..", "it is a folder above the manifest"),
            ("../.git/out", "it is inside a .git folder"),
        ]
        for (output, message) in cases {
            for command in [["clean", "Test.manifest", "--output", output], ["Test.manifest", "--output", output]] {
                let result = try sandbox.nbrun(command, in: "proj/nb", environment: home)
                #expect(result.status == 1, "\(command): \(result.output)")
                #expect(result.output.contains(message), "\(command): \(result.output)")
            }
        }
        // `/` and a link to it, only with `run` (refused before anything is written).
        try sandbox.link("proj/nb/to-root", to: "/")
        for output in ["/", "to-root"] {
            let result = try sandbox.nbrun(["Test.manifest", "--output", output], in: "proj/nb")
            #expect(result.status == 1)
            #expect(result.output.contains("it is the root folder"), "\(result.output)")
        }
        #expect(sandbox.snapshot { $0 == "proj/nb/to-root" }.differences(from: before) == [])
    }

    @Test func emptyOutputPathIsAUsageError() throws {
        let sandbox = try project()
        let before = sandbox.snapshot()
        for command in [["clean", "Test.manifest", "--output", ""], ["Test.manifest", "--output", ""], ["status", "Test.manifest", "--output", ""]] {
            let result = try sandbox.nbrun(command, in: "proj/nb")
            #expect(result.status == 64, "\(command): \(result.output)")
            #expect(result.output.contains("the output folder path is empty"), "\(result.output)")
        }
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    @Test func linksAreNeverFollowedWhenDeleting() throws {
        let sandbox = try project(output: "out")
        try sandbox.file("victim/a.txt", "a\n")
        try sandbox.file("victim/sub/b.txt", "b\n")
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        // A link inside a stage folder, a link in place of a stage folder, a link as the output folder.
        try sandbox.link("proj/nb/out/square/link", to: sandbox.url("victim").path)
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/words"))
        try sandbox.link("proj/nb/out/words", to: sandbox.url("victim").path)
        let victim = FileTreeSnapshot(of: sandbox.url("victim"))
        let clean = try sandbox.nbrun(["clean", "Test.manifest"], in: "proj/nb")
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("  square/link"), "\(clean.output)")
        #expect(clean.output.contains("  words (a symbolic link, not written by nbrun)"), "\(clean.output)")
        #expect(sandbox.exists("proj/nb/out/square/link") && sandbox.exists("proj/nb/out/words"))
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)

        try sandbox.link("proj/nb/out-link", to: sandbox.url("victim").path)
        for command in [["clean", "Test.manifest", "--output", "out-link"], ["Test.manifest", "--output", "out-link"]] {
            let result = try sandbox.nbrun(command, in: "proj/nb")
            #expect(result.status == 1)
            #expect(result.output.contains("out-link is a symbolic link, where nbrun keeps the output folder"), "\(result.output)")
        }
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)
    }

    @Test func recoveryAndForceStayInsideTheOutputFolder() throws {
        let sandbox = try project(output: "out")
        try sandbox.file("victim/a.txt", "a\n")
        #expect(try sandbox.nbrun(["Test.manifest"], in: "proj/nb").status == 0)
        let victim = FileTreeSnapshot(of: sandbox.url("victim"))
        // Work folders of a killed run that point outside, or claim a stage named '..'.
        try sandbox.link("proj/nb/out/.trash/generate-17", to: sandbox.url("victim").path)
        let trash = try sandbox.nbrun(["Test.manifest", "--force"], in: "proj/nb")
        #expect(trash.status == 1)
        #expect(trash.output.contains(".trash/generate-17 is a symbolic link, where nbrun keeps a work folder in .trash"), "\(trash.output)")
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/.trash/generate-17"))
        try sandbox.file("proj/nb/out/.staging/..-2147483647/record.json", "{}")
        try sandbox.link("proj/nb/out/.resume/generate", to: sandbox.url("victim").path)
        let resume = try sandbox.nbrun(["Test.manifest", "--force"], in: "proj/nb")
        #expect(resume.status == 1)
        #expect(resume.output.contains(".resume/generate is a symbolic link"), "\(resume.output)")
        try FileManager.default.removeItem(at: sandbox.url("proj/nb/out/.resume/generate"))
        let repaired = try sandbox.nbrun(["Test.manifest", "--force"], in: "proj/nb")
        #expect(repaired.status == 0, "\(repaired.output)")
        #expect(repaired.output.contains("removed \(sandbox.url("proj/nb/out/.staging/..-2147483647").path)"), "\(repaired.output)")
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)
        #expect(try String(contentsOf: sandbox.url("proj/important.txt"), encoding: .utf8) == "keep me\n")
    }
}
