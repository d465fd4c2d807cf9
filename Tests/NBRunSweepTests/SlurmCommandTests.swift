import Foundation
@testable import NBRun
@testable import NBRunEngine
@testable import NBRunSweep
import Testing

/// What nbrun hands to `sbatch` and how it reads Slurm's answers, without a cluster: the
/// argument vectors are exact (the user's arguments come after nbrun's, unchanged and in
/// order), and the job script quotes every path so that no shell ever reinterprets it.
@Suite("Slurm commands")
struct SlurmCommandTests {
    let logs = URL(fileURLWithPath: "/shared/out/slurm")

    @Test func arrayArgumentsAreNBRunsThenExactlyTheUsersInOrder() {
        let settings = SlurmJobSettings(partition: "gpu", timeLimit: "1:30:00", cpusPerTask: 4,
                                        extraArguments: ["--account=proj", "--qos", "high", "--output=/elsewhere/%j"])
        let arguments = SbatchCommand.arrayArguments(jobName: "nbrun-LSTM", logFolder: logs, taskCount: 3,
                                                     dependency: "41", settings: settings)
        #expect(arguments == [
            "--parsable", "--job-name=nbrun-LSTM", "--output=/shared/out/slurm/slurm-%A_%a.log", "--array=0-2",
            "--dependency=afterok:41", "--kill-on-invalid-dep=yes",
            "--partition=gpu", "--time=1:30:00", "--cpus-per-task=4",
            "--account=proj", "--qos", "high", "--output=/elsewhere/%j",
        ])
        let alone = SbatchCommand.arrayArguments(jobName: "n", logFolder: logs, taskCount: 1, dependency: nil, settings: SlurmJobSettings())
        #expect(alone == ["--parsable", "--job-name=n", "--output=/shared/out/slurm/slurm-%A_%a.log", "--array=0-0"])
        let shared = SbatchCommand.sharedJobArguments(jobName: "n-shared", logFolder: logs, settings: SlurmJobSettings(partition: "p"))
        #expect(shared == ["--parsable", "--job-name=n-shared", "--output=/shared/out/slurm/slurm-%j.log", "--partition=p"])
    }

    @Test func theJobScriptQuotesHostilePaths() throws {
        let script = SbatchCommand.script(nbrun: "/opt/it's here/nbrun", record: "/out/$(rm -rf ~)/`x`/sweep.json",
                                          submission: 2, shared: true)
        #expect(script.hasPrefix("#!/bin/sh\n"))
        #expect(script.contains("exec '/opt/it'\\''s here/nbrun' slurm-task '/out/$(rm -rf ~)/`x`/sweep.json' --submission 2 --shared\n"))
        // The shell itself reads the quoted words back unchanged.
        let echo = Process()
        echo.executableURL = URL(fileURLWithPath: "/bin/sh")
        echo.arguments = ["-c", "printf '%s\\n' " + SbatchCommand.shellQuoted("a'b $(x) `y` \"z\" \\ ;|&")]
        let pipe = Pipe()
        echo.standardOutput = pipe
        try echo.run()
        echo.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "a'b $(x) `y` \"z\" \\ ;|&\n")
    }

    @Test func jobIDsFromParsableOutput() throws {
        #expect(try SbatchCommand.jobID(fromParsable: "1234\n") == "1234")
        #expect(try SbatchCommand.jobID(fromParsable: "77;cluster-a\n") == "77")
        for bad in ["", "Submitted batch job 12", "12abc", "-1"] {
            #expect(throws: SlurmError.unexpectedJobID(bad)) { try SbatchCommand.jobID(fromParsable: bad) }
        }
    }

    @Test func aMissingToolIsNamed() {
        #expect(SlurmError.toolNotFound("sbatch").description.contains("sbatch not found on PATH"))
        #expect(SlurmScheduler.find("sh") != nil)
        #expect(SlurmScheduler.find("nbrun-no-such-tool-\(UUID().uuidString)") == nil)
    }

    @Test func failuresNameTheJobAndTheLog() {
        let failure = SlurmTaskFailure(variant: 1, overrides: "train.epochs=2", jobID: "12_1", state: "FAILED", log: "/o/slurm/slurm-12_1.log")
        #expect(failure.description == "variant 2 (train.epochs=2) failed: Slurm job 12_1 (FAILED), log: /o/slurm/slurm-12_1.log")
    }

    @Test func theRecordIsReadOnlyFromARegularFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-slurm-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("sweep.json")
        #expect(try SlurmSweepRecord.load(from: url) == nil)

        var record = SlurmSweepRecord(manifest: "/n/LSTM.manifest", fixed: ["load-data.train-limit=300"], axes: ["train.epochs=1,2"],
                                      outputDirectory: "/o", cacheDirectory: nil, metric: nil, variants: [["train.epochs=1"], ["train.epochs=2"]])
        record.submissions = [.init(submittedAt: Date(timeIntervalSince1970: 1_800_000_000), nbrun: "/b/nbrun", sharedJob: nil,
                                    arrayJobID: "9", sbatchArguments: [["--parsable"]],
                                    tasks: [.init(variant: 1, jobID: "9_0", log: "/o/slurm/slurm-9_0.log")])]
        try record.save(to: url)
        #expect(try SlurmSweepRecord.load(from: url) == record)
        #expect(record.latestTask(for: 1)?.task.jobID == "9_0")
        #expect(record.latestTask(for: 1)?.submission.arrayJobID == "9")
        #expect(record.latestTask(for: 0) == nil)

        try Data("{\"format\": 1".utf8).write(to: url)
        #expect(throws: SlurmError.self) { try SlurmSweepRecord.load(from: url) }

        try FileManager.default.removeItem(at: url)
        #expect(mkfifo(url.path, 0o600) == 0)
        #expect { try SlurmSweepRecord.load(from: url) } throws: { error in
            (error as? SlurmError)?.description.contains("FIFO") == true
        }
        try FileManager.default.removeItem(at: url)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/etc/passwd")
        #expect { try SlurmSweepRecord.load(from: url) } throws: { error in
            (error as? SlurmError)?.description.contains("symbolic link") == true
        }
    }
}

/// `--cache DIR` is checked like the output folder before anything is written.
@Suite("Cache folder check")
struct CacheFolderCheckTests {
    let folder: URL
    let manifestFolder: URL
    let output: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-cache-check-\(UUID().uuidString)")
        manifestFolder = folder.appendingPathComponent("notebook")
        output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: manifestFolder, withIntermediateDirectories: true)
    }

    func check(_ cache: URL) throws(CacheFolderError) {
        try CacheFolderCheck.check(cache, manifestFolder: manifestFolder, outputDirectory: output, currentDirectory: folder)
    }

    @Test func acceptsANewAnEmptyOrAnNBRunCacheFolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try check(folder.appendingPathComponent("new/cache"))
        let cache = folder.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try check(cache)
        for name in ["stages", "objects", "locks"] {
            try FileManager.default.createDirectory(at: cache.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try check(cache)
    }

    @Test func refusesLinksFIFOsFilesAndForeignFolders() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let link = folder.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(throws: CacheFolderError.notAFolder(path: link.path, kind: "a symbolic link")) { try check(link) }
        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: CacheFolderError.notAFolder(path: fifo.path, kind: "a FIFO (named pipe)")) { try check(fifo) }
        let file = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        #expect(throws: CacheFolderError.notAFolder(path: file.path, kind: "a regular file")) { try check(file) }
        try Data("thesis".utf8).write(to: target.appendingPathComponent("thesis.tex"))
        #expect(throws: CacheFolderError.foreignContents(path: target.path, entries: ["thesis.tex"])) { try check(target) }
        try Data("stages".utf8).write(to: target.appendingPathComponent("stages"))
        #expect(throws: CacheFolderError.misplacedEntry(path: target.path, name: "stages", kind: "a regular file")) { try check(target) }
        try FileManager.default.removeItem(at: target.appendingPathComponent("stages"))
        try FileManager.default.removeItem(at: target.appendingPathComponent("thesis.tex"))
        // A link planted where the cache keeps its objects is named, never followed.
        try FileManager.default.createSymbolicLink(at: target.appendingPathComponent("objects"), withDestinationURL: folder)
        let planted = #expect(throws: CacheFolderError.self) { try check(target) }
        #expect(planted == .misplacedEntry(path: target.path, name: "objects", kind: "a symbolic link"))
        #expect(planted?.description.contains("its objects is a symbolic link where nbrun keeps a folder") == true)
        #expect(CacheFolderError.foreignContents(path: target.path, entries: ["thesis.tex"]).description
            .contains("holds entries nbrun did not write (thesis.tex)"))
    }

    @Test func refusesDangerousFoldersAndTheOutputFolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for dangerous in [URL(fileURLWithPath: "/"), URL(fileURLWithPath: NSHomeDirectory()), manifestFolder, folder, output,
                          output.appendingPathComponent("cache")] {
            #expect(throws: CacheFolderError.self) { try check(dangerous) }
        }
        #expect { try check(output) } throws: { error in
            (error as? CacheFolderError)?.description.contains("it is the output folder") == true
        }
    }
}
