import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defect 12: early failures left a claimed folder behind, and two runs creating one
/// new folder could record it as adopted so that `clean` left it. The marker is now written
/// only under the output lock, by whichever run holds it first, and says "created" whenever
/// one of them created the folder; a run whose cache cannot be locked removes the folder it
/// created for nothing. Real processes, many rounds, and never a folder the user made.
@Suite("Claimed output folders do not outlive a failed or cleaned run")
struct ClaimedFolderTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["NBRUN_CLAIM_ROUNDS"] ?? "") ?? 12 }

    @Test func twoRunsCreatingOneFolderLeaveNothingAfterClean() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        for round in 0..<Self.rounds {
            let folder = "new-\(round)/out"
            let runs = try (0..<2).map { _ in try RunningNBRun(binary, ["Test.manifest", "--output", folder], in: notebook.folder) }
            for run in runs {
                #expect(run.ended(within: 120), "round \(round): a hang")
                let (status, output) = run.finish()
                #expect(status == 0, "round \(round): \(output)")
            }
            let clean = try RunningNBRun(binary, ["clean", "Test.manifest", "--output", folder], in: notebook.folder).finish()
            #expect(clean.status == 0 && clean.output.contains("removed \(notebook.folder.appendingPathComponent(folder).path)\n"),
                    "round \(round): \(clean.output)")
            #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent(folder).path), "round \(round)")
        }
    }

    @Test func aRunWhoseCacheCannotBeLockedLeavesNoFolder() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook()
        guard let mount = try TmpfsMount(in: notebook.folder, readOnly: true) else { return }
        defer { mount.unmount(); withExtendedLifetime(notebook) {} }
        // Two at once, many times: neither may leave the folder, nor remove the user's.
        try FileManager.default.createDirectory(at: notebook.folder.appendingPathComponent("mine"), withIntermediateDirectories: true)
        for round in 0..<Self.rounds {
            let folders = ["fresh-\(round)", "mine"]
            let runs = try (folders + ["fresh-\(round)"]).map { folder in
                try RunningNBRun(binary, ["Test.manifest", "--output", folder, "--cache", mount.folder.path], in: notebook.folder)
            }
            for run in runs {
                #expect(run.ended(within: 60), "round \(round): a hang")
                let (status, output) = run.finish()
                #expect(status == 1 && output.contains(mount.folder.path), "round \(round): \(output)")
            }
            #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("fresh-\(round)").path),
                    "round \(round): the failed runs left the folder they created")
            // The user's empty folder stays, and empty: no marker or lock is left in it.
            let mine = try FileManager.default.contentsOfDirectory(atPath: notebook.folder.appendingPathComponent("mine").path)
            #expect(mine.isEmpty, "round \(round): mine/ holds \(mine)")
            let aside = try FileManager.default.contentsOfDirectory(atPath: notebook.folder.path).filter { $0.contains(".unclaimed-") }
            #expect(aside.isEmpty, "round \(round): a folder moved aside to be removed is still there: \(aside)")
        }
    }

    /// A run that fails while planning (its data folder holds a FIFO), in a folder it created, two
    /// at once and with or without --cache: the folder goes; a user's empty folder stays empty.
    @Test func aRunFailingBeforeItsFirstStageLeavesNoFolder() throws {
        let binary = try #require(nbrunBinary, "build the executable first: swift build --build-tests")
        let notebook = try TestNotebook("""
            title: missing data
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: data}
            """)
        try FileManager.default.createDirectory(at: notebook.folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try #require(mkfifo(notebook.folder.appendingPathComponent("data/pipe").path, 0o644) == 0)
        try FileManager.default.createDirectory(at: notebook.folder.appendingPathComponent("mine"), withIntermediateDirectories: true)
        for round in 0..<Self.rounds {
            let cache = round % 2 == 0 ? [] : ["--cache", "shared-cache"]
            let runs = try ["fresh-\(round)", "fresh-\(round)", "mine"].map { folder in
                try RunningNBRun(binary, ["Test.manifest", "--output", folder] + cache, in: notebook.folder)
            }
            for run in runs {
                #expect(run.ended(within: 60), "round \(round): a hang")
                let (status, output) = run.finish()
                #expect(status == 1 && output.contains("data/pipe"), "round \(round): \(output)")
            }
            let left = (try? FileManager.default.subpathsOfDirectory(atPath: notebook.folder.appendingPathComponent("fresh-\(round)").path)) ?? []
            #expect(!FileManager.default.fileExists(atPath: notebook.folder.appendingPathComponent("fresh-\(round)").path),
                    "round \(round) \(cache): the failed runs left the folder they created, holding \(left)")
            let mine = try FileManager.default.contentsOfDirectory(atPath: notebook.folder.appendingPathComponent("mine").path)
            #expect(mine.isEmpty, "round \(round): mine/ holds \(mine)")
            let aside = try FileManager.default.contentsOfDirectory(atPath: notebook.folder.path).filter { $0.contains(".unclaimed-") }
            #expect(aside.isEmpty, "round \(round): a folder moved aside to be removed is still there: \(aside)")
        }
    }
}
