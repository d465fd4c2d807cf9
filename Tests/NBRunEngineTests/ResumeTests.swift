import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Resumable state: kept for a selected stage, discarded by --force")
struct ResumeTests {
    static let manifest = """
        title: "Resumable notebook"
        cells:
          - stage: slow
            kind: demo.slow
            parameters: {steps: 6, step-milliseconds: 0}
        """

    /// Leaves the checkpoint an attempt interrupted after `steps` steps would have left.
    func leaveCheckpoint(in notebook: TestNotebook, afterSteps steps: Int) throws -> URL {
        let fingerprint = try #require(try notebook.status()["slow"]).fingerprint
        let folder = ArtifactStore(outputDirectory: notebook.output).resumeDirectory("slow", fingerprint: fingerprint)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let checkpoint = folder.appendingPathComponent("completed-steps.txt")
        try Data("\(fingerprint)\n\(steps)\n".utf8).write(to: checkpoint)
        return folder
    }

    func printedOutput(_ result: RunResult) throws -> String {
        guard case .ranNow(let record) = result.outcome("slow") else {
            Issue.record("slow should have run: \(String(describing: result.outcome("slow")))")
            return ""
        }
        return record.output
    }

    @Test func stageSelectedWithoutForceResumesFromItsCheckpoint() throws {
        let notebook = try TestNotebook(Self.manifest)
        try notebook.run()
        let folder = try leaveCheckpoint(in: notebook, afterSteps: 4)

        let result = try notebook.run { $0.onlyStage = "slow" }
        #expect(result.exitCode == 0)
        #expect(try printedOutput(result).contains("resuming after step 4"))
        #expect(!FileManager.default.fileExists(atPath: folder.path), "a committed stage's checkpoints are cleared")
    }

    @Test(arguments: [nil, "slow"])
    func forceStartsOverInsteadOfResuming(onlyStage: String?) throws {
        let notebook = try TestNotebook(Self.manifest)
        try notebook.run()
        let folder = try leaveCheckpoint(in: notebook, afterSteps: 4)

        let result = try notebook.run { $0.force = true; $0.onlyStage = onlyStage }
        #expect(result.exitCode == 0)
        let output = try printedOutput(result)
        #expect(!output.contains("resuming"), "--force must not resume: \(output)")
        #expect(output.contains("waited 6 steps"))
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func eachVariantResumesFromItsOwnCheckpointsOnly() throws {
        let notebook = try TestNotebook(Self.manifest)
        let store = ArtifactStore(outputDirectory: notebook.output)
        let other = try #require(try notebook.status(["slow.steps=5"])["slow"]).fingerprint
        let otherFolder = store.resumeDirectory("slow", fingerprint: other)
        try FileManager.default.createDirectory(at: otherFolder, withIntermediateDirectories: true)
        let otherCheckpoint = otherFolder.appendingPathComponent("completed-steps.txt")
        try Data("\(other)\n3\n".utf8).write(to: otherCheckpoint)
        let result = try notebook.run()
        #expect(try !printedOutput(result).contains("resuming"))
        // Another variant's checkpoints (another process may be computing it) are left alone.
        #expect(try String(contentsOf: otherCheckpoint, encoding: .utf8) == "\(other)\n3\n")
        #expect(otherFolder != store.resumeDirectory("slow", fingerprint: try #require(try notebook.status()["slow"]).fingerprint))
    }

    @Test func forceDiscardsCheckpointsEvenWhenTheForcedStageFails() throws {
        let notebook = try TestNotebook("""
            title: "Failing after a checkpoint"
            cells:
              - stage: slow
                kind: demo.fail
                parameters: {should-fail: true}
            """)
        let store = ArtifactStore(outputDirectory: notebook.output)
        let folder = store.resumeDirectory("slow", fingerprint: try #require(try notebook.status()["slow"]).fingerprint)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("old\n".utf8).write(to: folder.appendingPathComponent("checkpoint"))

        #expect(try notebook.run { $0.force = true }.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint").path))
    }
}
