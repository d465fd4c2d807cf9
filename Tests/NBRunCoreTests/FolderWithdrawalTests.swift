import Foundation
@testable import NBRunCore
import Testing

/// Taking back a claim that came to nothing removes only nbrun's empty skeleton, by name,
/// and only in the very folder claimed: links, FIFOs, foreign files and a folder that
/// replaced the claimed one keep everything as it is.
@Suite("Taking back an output folder a run claimed for nothing")
struct FolderWithdrawalTests {
    /// A claimed folder as a run leaves it when planning fails: marker, lock, the cache's run lock.
    func claimed(_ sandbox: Sandbox, _ relative: String = "out") throws -> (OutputFolder, FolderClaim) {
        let folder = OutputFolder(url: sandbox.url(relative))
        let claim = try #require(try folder.claim(stageNames: []))
        try sandbox.file("\(relative)/.lock", "123\n")
        try sandbox.file("\(relative)/.cache/locks/run.lock", "")
        return (folder, claim)
    }

    func cacheRoot(_ folder: OutputFolder) -> URL { folder.url.appendingPathComponent(".cache") }

    @Test func aCreatedFolderGoesWhole() throws {
        let sandbox = try Sandbox()
        let (folder, claim) = try claimed(sandbox, "parent/out")
        #expect(claim.how == .created)
        try sandbox.folder("parent/out/.staging")
        #expect(folder.withdraw(claim, cacheRoot: cacheRoot(folder)) == .removedFolder)
        #expect(!sandbox.exists("parent/out"))
        #expect(sandbox.exists("parent"), "the folders above are not nbrun's")
    }

    @Test func anAdoptedFolderIsLeftEmpty() throws {
        let sandbox = try Sandbox()
        try sandbox.folder("out")
        let (folder, claim) = try claimed(sandbox)
        #expect(claim.how == .adopted)
        #expect(folder.withdraw(claim, cacheRoot: cacheRoot(folder)) == .emptiedFolder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("out").path) == [])
    }

    /// A cache elsewhere (`--cache`) is not the run's to remove; the output folder still goes.
    @Test func aCacheElsewhereIsLeftAlone() throws {
        let sandbox = try Sandbox()
        let folder = OutputFolder(url: sandbox.url("out"))
        let claim = try #require(try folder.claim(stageNames: []))
        try sandbox.file("shared-cache/locks/run.lock", "")
        #expect(folder.withdraw(claim, cacheRoot: sandbox.url("shared-cache")) == .removedFolder)
        #expect(sandbox.exists("shared-cache/locks/run.lock"))
    }

    @Test(arguments: ["foreign", "cacheLink", "cacheFile", "lockFIFO", "result", "stagingEntry", "otherCache"])
    func anythingBeyondTheSkeletonKeepsEverything(planted: String) throws {
        let sandbox = try Sandbox()
        try sandbox.file("victim/a.txt", "a\n")
        let (folder, claim) = try claimed(sandbox)
        switch planted {
        case "foreign": try sandbox.file("out/mine.txt", "mine\n")
        case "cacheLink":
            try FileManager.default.removeItem(at: sandbox.url("out/.cache"))
            try sandbox.link("out/.cache", to: sandbox.url("victim").path)
        case "cacheFile": try sandbox.file("out/.cache/locks/other.lock", "")
        case "lockFIFO":
            try FileManager.default.removeItem(at: sandbox.url("out/.lock"))
            try sandbox.fifo("out/.lock")
        case "result": try sandbox.file("out/report.md", "# report\n")
        case "stagingEntry": try sandbox.folder("out/.staging/generate-1")
        default: try sandbox.file("out/.cache/stages/generate/x/record.json", "{}")
        }
        let before = sandbox.snapshot()
        #expect(folder.withdraw(claim, cacheRoot: cacheRoot(folder)) == .kept, "\(planted)")
        #expect(sandbox.snapshot().differences(from: before) == [], "\(planted)")
    }

    /// After a `clean` and another run, the same path may be another folder: not this claim's.
    /// (The claimed one is moved aside rather than removed, so its inode cannot be reused.)
    @Test func aFolderThatReplacedTheClaimedOneIsNotTouched() throws {
        let sandbox = try Sandbox()
        let (folder, claim) = try claimed(sandbox)
        try FileManager.default.moveItem(at: sandbox.url("out"), to: sandbox.url("aside"))
        let (_, other) = try claimed(sandbox)
        #expect(other != claim)
        let before = sandbox.snapshot()
        #expect(folder.withdraw(claim, cacheRoot: cacheRoot(folder)) == .kept)
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    @Test func aLinkInPlaceOfTheFolderIsNotFollowed() throws {
        let sandbox = try Sandbox()
        let (folder, claim) = try claimed(sandbox, "real")
        try sandbox.link("out", to: sandbox.url("real").path)
        let linked = OutputFolder(url: sandbox.url("out"))
        let before = sandbox.snapshot()
        #expect(linked.withdraw(claim, cacheRoot: cacheRoot(linked)) == .kept)
        #expect(sandbox.snapshot().differences(from: before) == [])
        #expect(folder.withdraw(claim, cacheRoot: cacheRoot(folder)) == .removedFolder)
    }
}
