import AtomicFiles
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Output folder ownership, no-follow deletion and regular-file hashing")
struct OutputFolderTests {
    @Test func stateTellsOwnedEmptyForeignAndOldNBRunOutputApart() throws {
        let sandbox = try Sandbox()
        let folder = OutputFolder(url: sandbox.url("out"))
        #expect(folder.state(stageNames: ["g"]) == .missing)
        try sandbox.folder("out")
        #expect(folder.state(stageNames: ["g"]) == .empty)
        try sandbox.file("out/g/record.json", "{}")
        try sandbox.file("out/report.md", "# old\n")
        #expect(folder.state(stageNames: ["g"]) == .unmarkedNBRunOutput)
        #expect(folder.state(stageNames: ["h"]) == .foreign(entries: ["g/"]), "a folder that is not a stage of this manifest")
        try FileManager.default.removeItem(at: sandbox.url("out/g"))
        #expect(folder.state(stageNames: ["g"]) == .foreign(entries: ["report.md"]), "a lone report.md may be the user's")
        #expect(throws: StorageError.foreignOutputFolder(path: folder.url.path, entries: ["report.md"])) {
            try folder.claim(stageNames: [])
        }
        #expect(!OutputFolder.isMarked(folder.url))
        try sandbox.link("linked", to: sandbox.url("out").path)
        #expect(OutputFolder(url: sandbox.url("linked")).state(stageNames: []) == .notAFolder(.symbolicLink))
    }

    @Test func claimMarksANewOrEmptyFolderAndRefusesAForeignOneWithoutWriting() throws {
        let sandbox = try Sandbox()
        let fresh = OutputFolder(url: sandbox.url("a/b/out"))
        try fresh.claim(stageNames: [])
        #expect(OutputFolder.isMarked(fresh.url))
        #expect(fresh.state(stageNames: []) == .owned)
        try sandbox.file("theirs/file.txt", "x")
        let before = sandbox.snapshot()
        #expect(throws: StorageError.foreignOutputFolder(path: sandbox.url("theirs").path, entries: ["file.txt"])) {
            try OutputFolder(url: sandbox.url("theirs")).claim(stageNames: [])
        }
        #expect(sandbox.snapshot() == before)
        // A damaged marker does not make a folder nbrun's.
        try sandbox.file("fake/.nbrun-output", "{\"format\": 99}")
        try sandbox.file("fake/mine.txt", "x")
        #expect(!OutputFolder.isMarked(sandbox.url("fake")))
    }

    @Test func everyOwnTopLevelNameIsReservedForStages() {
        for name in ["report.md", "report.html", "report-assets", ".lock", ".staging", ".trash", ".resume", ".nbrun-output"] {
            #expect(OutputFolder.isReserved(name), "\(name)")
        }
        #expect(!OutputFolder.isReserved("generate"))
    }

    @Test func noFollowRemovalUnlinksLinksAndNeverEntersThem() throws {
        let sandbox = try Sandbox()
        try sandbox.file("victim/a.txt", "a")
        try sandbox.file("victim/sub/b.txt", "b")
        try sandbox.file("tree/x/y/z.txt", "z")
        try sandbox.link("tree/x/to-victim", to: sandbox.url("victim").path)
        try sandbox.link("tree/x/y/to-file", to: sandbox.url("victim/a.txt").path)
        try sandbox.link("tree/dangling", to: "/nonexistent/nowhere")
        try sandbox.fifo("tree/x/pipe")
        let victim = FileTreeSnapshot(of: sandbox.url("victim"))
        try NoFollowRemoval.removeTree(atPath: sandbox.url("tree").path)
        #expect(!sandbox.exists("tree"))
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)
        // A link given as the tree itself is unlinked, its target kept.
        try sandbox.link("top-link", to: sandbox.url("victim").path)
        try NoFollowRemoval.removeTree(atPath: sandbox.url("top-link").path)
        #expect(!sandbox.exists("top-link"))
        #expect(FileTreeSnapshot(of: sandbox.url("victim")) == victim)
        try NoFollowRemoval.removeTree(atPath: sandbox.url("missing").path)  // not an error
    }

    @Test func noFollowRemovalRefusesTreesDeeperThanItsBound() throws {
        let sandbox = try Sandbox()
        let deep = (0..<80).map { "d\($0)" }.joined(separator: "/")
        try sandbox.file("tree/\(deep)/leaf.txt", "x")
        #expect(throws: StorageError.self) { try NoFollowRemoval.removeTree(atPath: sandbox.url("tree").path) }
        #expect(sandbox.exists("tree/\(deep)/leaf.txt"), "refused, not half-walked into a crash")
    }

    @Test func contentHashRefusesEverythingButRegularFiles() throws {
        let sandbox = try Sandbox()
        try sandbox.fifo("pipe")
        try sandbox.file("real.txt", "hello")
        try sandbox.link("link.txt", to: "real.txt")
        #expect(throws: StorageError.notARegularFile(path: sandbox.url("pipe").path, kind: "a FIFO (named pipe)")) {
            try ContentHash.ofFile(at: sandbox.url("pipe"))
        }
        #expect(throws: StorageError.notARegularFile(path: "/dev/zero", kind: "a character device")) {
            try ContentHash.ofItem(at: URL(fileURLWithPath: "/dev/zero"))
        }
        #expect(throws: StorageError.notARegularFile(path: sandbox.url("link.txt").path, kind: "a symbolic link"),
                "an artifact must be the file nbrun wrote") {
            try ContentHash.ofFile(at: sandbox.url("link.txt"))
        }
        #expect(try ContentHash.ofItem(at: sandbox.url("link.txt")) == ContentHash.ofFile(at: sandbox.url("real.txt")),
                "a path a user names may be a link to a regular file")
        // SHA-256 of "hello".
        #expect(try ContentHash.ofFile(at: sandbox.url("real.txt")) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    }

    /// Item 9: a notebook whose output folder sits inside its data folder stays cached.
    @Test func markedOutputFoldersInsideHashedDataAreLeftOut() throws {
        let sandbox = try Sandbox()
        try sandbox.file("data/numbers.txt", "1 2 3\n")
        let before = try ContentHash.ofItem(at: sandbox.url("data"))
        try OutputFolder(url: sandbox.url("data/out")).claim(stageNames: [])
        try sandbox.file("data/out/generate/numbers.txt", "changes on every run")
        #expect(try ContentHash.ofItem(at: sandbox.url("data")) == before)
        try sandbox.file("data/unmarked/file.txt", "counts")
        #expect(try ContentHash.ofItem(at: sandbox.url("data")) != before, "an unmarked sub-folder is data")
    }

    @Test func notebookWithItsOutputInsideItsDataFolderBecomesFresh() throws {
        let notebook = try TestNotebook("""
            title: data holds output
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: data}
              - stage: generate
                kind: demo.generate
            """)
        try notebook.writeFile("words.txt", "unused")
        try FileManager.default.createDirectory(at: notebook.folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try notebook.writeFile("data/a.txt", "one two")
        let output = notebook.folder.appendingPathComponent("data/out")
        let options = notebook.options { $0.outputDirectory = output; $0.keepGoing = true }
        func fingerprint() throws -> String? {
            try notebook.runner.status(try notebook.load(), options: options).first { $0.stage.name == "words" }?.fingerprint
        }
        let before = try fingerprint()
        let first = try notebook.runner.run(try notebook.load(), options: options)
        #expect(first.executed == ["words", "generate"])
        #expect(try fingerprint() == before, "the data folder's hash does not change with the output inside it")
        let second = try notebook.runner.run(try notebook.load(), options: options)
        #expect(second.isCached("generate"))
        #expect(second.executed == ["words"], "only the stage that failed (it reads a folder as text) runs again")
    }

    @Test func dangerousTargetsAreRecognisedAfterResolvingLinks() throws {
        let sandbox = try Sandbox()
        try sandbox.folder("repo/.git")
        try sandbox.folder("repo/notebooks/nb")
        try sandbox.link("root-link", to: "/")
        let manifestFolder = sandbox.url("repo/notebooks/nb")
        let elsewhere = sandbox.url("elsewhere")
        func reason(_ output: URL) -> String? {
            do { try OutputTargetCheck.check(output, manifestFolder: manifestFolder, currentDirectory: elsewhere); return nil } catch {
                return error.description
            }
        }
        #expect(reason(URL(fileURLWithPath: "/"))?.contains("it is the root folder") == true)
        #expect(reason(sandbox.url("root-link"))?.contains("it is the root folder") == true)
        #expect(reason(manifestFolder)?.contains("the manifest's own folder") == true)
        #expect(reason(sandbox.url("repo/notebooks"))?.contains("a folder above the manifest") == true)
        #expect(reason(sandbox.url("repo"))?.contains("the root of the repository that holds the manifest") == true)
        #expect(reason(sandbox.url("repo/notebooks/nb/../../.git/x"))?.contains("inside a .git folder") == true)
        #expect(reason(sandbox.url("repo/notebooks/nb/out")) == nil)
        #expect(reason(sandbox.url("repo/output/nb")) == nil)
        #expect(reason(sandbox.url("not/yet/existing")) == nil)
    }

    @Test func temporaryNamesAreExactlyTheAtomicWritersOwn() {
        #expect(AtomicFile.isTemporaryName(".report.md.Ab12Cd", for: "report.md"))
        #expect(!AtomicFile.isTemporaryName(".report.md.Ab12C", for: "report.md"))
        #expect(!AtomicFile.isTemporaryName(".report.md.Ab12Cd7", for: "report.md"))
        #expect(!AtomicFile.isTemporaryName(".report.md.Ab-2Cd", for: "report.md"))
        #expect(!AtomicFile.isTemporaryName("report.md.Ab12Cd", for: "report.md"))
        #expect(!AtomicFile.isTemporaryName(".notes.md.Ab12Cd", for: "report.md"))
    }
}
