import Foundation
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// `Scripts/slurm-test-cluster` and munged: `stop` stops the munged that `start` started,
/// and never one that was running before. Each test runs a real munged of its own (in a
/// temporary `NBRUN_MUNGE_DIR`, never the system's) and stands-ins for the Slurm daemons,
/// so the test cluster other suites use is not disturbed.
@Suite("The Slurm test cluster script stops only the munged it started", .serialized,
       .enabled(if: MungeForTests.shouldRun, "needs root and Debian's munge"))
struct SlurmTestClusterScriptTests {
    let folder: URL
    let mungeFolder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-munge-\(UUID().uuidString)")
        mungeFolder = folder.appendingPathComponent("munge")
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        // The Slurm daemons start nothing here; sinfo reports both nodes idle, as the script waits for.
        let standIns = [
            "slurmctld": "exit 0", "slurmd": "exit 0", "scontrol": "exit 0",
            "sinfo": "printf 'n1 idle\\nn2 idle\\n'",
        ]
        for (name, body) in standIns {
            let url = bin.appendingPathComponent(name)
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/slurm-test-cluster")

    func cluster(_ command: String) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = folder.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["NBRUN_SLURM_DIR"] = folder.appendingPathComponent("slurm").path
        environment["NBRUN_MUNGE_DIR"] = mungeFolder.path
        return try MungeForTests.run(Self.script.path, [command], environment: environment)
    }

    var mungedPID: Int32? {
        (try? String(contentsOf: mungeFolder.appendingPathComponent("munged.pid"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test func stopStopsTheMungedStartStarted() throws {
        defer { cleanUp() }
        let start = try cluster("start")
        #expect(start.status == 0, "\(start.output)")
        let pid = try #require(mungedPID, "\(start.output)")
        #expect(MungeForTests.isMunged(pid), "\(start.output)")
        let status = try cluster("status")
        #expect(status.output.contains("munged: running (pid \(pid)), started by this script"), "\(status.output)")
        let stop = try cluster("stop")
        #expect(stop.status == 0, "\(stop.output)")
        #expect(stop.output.contains("munged (pid \(pid)), which this script started, stopped"), "\(stop.output)")
        #expect(!MungeForTests.isMunged(pid), "munged is still running after stop")
        #expect(try cluster("status").output.contains("munged: not running"))
        // Stopping again finds nothing of its own to stop.
        #expect(try cluster("stop").status == 0)
    }

    @Test func stopLeavesAMungedThatWasRunningBefore() throws {
        defer { cleanUp() }
        let pid = try MungeForTests.startMunged(in: mungeFolder)
        let start = try cluster("start")
        #expect(start.status == 0, "\(start.output)")
        #expect(start.output.contains("munged already answers"), "\(start.output)")
        #expect(try cluster("status").output.contains("munged: running, not started by this script"))
        let stop = try cluster("stop")
        #expect(stop.status == 0, "\(stop.output)")
        #expect(stop.output.contains("munged left running: this script did not start it"), "\(stop.output)")
        #expect(MungeForTests.isMunged(pid), "stop stopped a munged it did not start")
    }

    /// Stops the munged a test left (its own, by pid), then removes the folder.
    func cleanUp() {
        if let pid = mungedPID, MungeForTests.isMunged(pid) {
            kill(pid, SIGTERM)
            for _ in 0..<50 where MungeForTests.isMunged(pid) { usleep(100_000) }
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Running munged for the script's tests.
enum MungeForTests {
    static let shouldRun: Bool = {
        guard getuid() == 0 else { return note("not running as root") }
        for tool in ["munged", "munge", "unmunge", "runuser"] where find(tool) == nil {
            return note("\(tool) not found (apt-get install munge)")
        }
        return true
    }()

    /// Skipped with a note outside CI; under `CI=true` the tests run and fail instead.
    private static func note(_ reason: String) -> Bool {
        if SlurmTestCluster.isCI { return true }
        FileHandle.standardError.write(Data("note: Slurm test cluster script tests skipped: \(reason)\n".utf8))
        return false
    }

    static func find(_ tool: String) -> String? {
        for folder in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(tool)") {
            return "\(folder)/\(tool)"
        }
        return nil
    }

    /// Runs a command to its end, spawned directly: `Process` children inherit the test
    /// thread's blocked signals (SIGTERM among them), and a munged started so could never be
    /// stopped; here the child starts with none blocked and default handlers. Its output goes
    /// to a file, not a pipe, which the daemon it starts would keep open.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-munge-test-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let pid = try DirectSpawn.start(executable, arguments, environment: environment, log: log)
        let status = DirectSpawn.wait(pid)
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    static func isMunged(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 && (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("munged") == true
    }

    /// A munged started the way an administrator would, with its files in `folder`: its pid.
    static func startMunged(in folder: URL) throws -> Int32 {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let key = folder.appendingPathComponent("munge.key")
        try Data((0..<1024).map { _ in UInt8.random(in: 0...255) }).write(to: key)
        _ = try run("/bin/chown", ["munge:munge", folder.path, key.path])
        _ = try run("/bin/chmod", ["400", key.path])
        let started = try run(try #require(find("runuser")), [
            "-u", "munge", "--", try #require(find("munged")), "--socket=\(folder.path)/munge.socket", "--key-file=\(key.path)",
            "--pid-file=\(folder.path)/munged.pid", "--log-file=\(folder.path)/munged.log", "--seed-file=\(folder.path)/munged.seed",
        ])
        try #require(started.status == 0, "munged did not start: \(started.output)")
        let pidFile = folder.appendingPathComponent("munged.pid")
        for _ in 0..<50 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(100_000)
        }
        throw CocoaError(.fileReadNoSuchFile)
    }
}
