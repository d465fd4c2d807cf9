import Foundation
@testable import NBRunSweep
import NBRunTestSupport
import Testing

/// `--on slurm` and its options through the nbrun executable, without a cluster: what does
/// not apply is refused before anything runs, and a machine without Slurm's commands gets a
/// plain message instead of a local run.
@Suite("Slurm options")
struct SlurmOptionTests {
    /// Removed with the suite instance, after each test.
    let sandbox: Sandbox
    let binary: URL
    var folder: URL { sandbox.root }

    init() throws {
        binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        sandbox = try Sandbox()
        try sandbox.file("Test.manifest", """
            title: "Slurm options"
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {seed: 3, count: 20}

            """)
    }

    func nbrun(_ arguments: [String], path: String? = nil) throws -> (status: Int32, output: String) {
        let environment = path.map { path in ProcessInfo.processInfo.environment.merging(["PATH": path]) { $1 } }
        return try RunningNBRun(binary, arguments, in: folder, environment: environment).finish()
    }

    @Test func optionsThatDoNotApplyAreRefused() throws {
        let cases: [([String], String)] = [
            (["--wait"], "apply to --on slurm"),
            (["--partition", "p"], "apply to --on slurm"),
            (["--on", "slurm"], "--on slurm runs a sweep as a job array; add --sweep"),
            (["--on", "mars", "--sweep", "generate.count=1,2"], "--on must be 'local' or 'slurm', got 'mars'"),
            (["--on", "slurm", "--sweep", "generate.count=1,2", "--threads", "2"], "do not apply to --on slurm"),
            (["--on", "slurm", "--sweep", "generate.count=1,2", "--cpus-per-task", "0"], "--cpus-per-task must be at least 1"),
        ]
        for (arguments, message) in cases {
            let result = try nbrun(["Test.manifest", "--output", "out"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test func withoutSlurmsCommandsNothingRunsAndTheMessageSaysWhy() throws {
        // The notebook's plugin is compiled first, with the usual PATH: the run below has
        // no linker on its PATH either, and would otherwise fail on that when it is first to
        // need the plugin.
        let status = try nbrun(["status", "Test.manifest", "--output", "out"])
        #expect(status.status == 0, "\(status.output)")
        let result = try nbrun(["Test.manifest", "--output", "out", "--sweep", "generate.count=1,2", "--on", "slurm"],
                               path: folder.appendingPathComponent("no-bin").path)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("nbrun: error: squeue not found on PATH"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/generate").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/slurm/sweep.json").path))
    }

    /// A stand-in for Slurm in which every job starts the moment it is submitted and reads the
    /// submission record as it was at that moment (a copy taken inside `sbatch`), the worst
    /// timing a real scheduler can give. A job that depends on another (`afterok`) starts when
    /// that one has ended well; `squeue` lists the jobs not yet ended. Needs bash (to close
    /// descriptors by number).
    func writeImmediateSlurm() throws -> String {
        let bin = try sandbox.folder("fake-slurm/bin")
        let state = try sandbox.folder("fake-slurm/state")
        try sandbox.file("fake-slurm/bin/sbatch", """
            #!/bin/bash
            state='\(state.path)'
            id=$(( $(cat "$state/last-id" 2>/dev/null || echo 100) + 1 ))
            echo "$id" >"$state/last-id"
            cat >"$state/$id.sh"
            output= last= after=
            for argument in "$@"; do
                case "$argument" in
                    --output=*) output="${argument#--output=}" ;;
                    --array=0-*) last="${argument#--array=0-}" ;;
                    --dependency=afterok:*) after="${argument#--dependency=afterok:}" ;;
                esac
            done
            record=$(sed -n "s/^exec '[^']*' slurm-task '\\([^']*\\)'.*/\\1/p" "$state/$id.sh")
            cp "$record" "$state/$id.record.json" || exit 1
            sed -i "s|'$record'|'$state/$id.record.json'|" "$state/$id.sh"
            touch "$state/$id.active"
            (
                # Let go of every descriptor but the three, as a real sbatch does once the job
                # is queued: nbrun's Process waits for its child's to close.
                for descriptor in /proc/$BASHPID/fd/*; do
                    number=${descriptor##*/}
                    [ "$number" -gt 2 ] && eval "exec $number>&-"
                done 2>/dev/null
                if [ -n "$after" ]; then
                    waited=0
                    while [ ! -e "$state/$after.status" ] && [ "$waited" -lt 2400 ]; do sleep 0.05; waited=$((waited + 1)); done
                    [ "$(cat "$state/$after.status" 2>/dev/null)" = 0 ] || { echo cancelled >"$state/$id.status"; rm "$state/$id.active"; exit; }
                fi
                if [ -z "$last" ]; then
                    SLURM_JOB_ID=$id SLURMD_NODENAME=fake sh "$state/$id.sh" >"$(echo "$output" | sed "s/%j/$id/")" 2>&1
                    echo $? >"$state/$id.status"
                else
                    index=0
                    while [ "$index" -le "$last" ]; do
                        SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$index SLURMD_NODENAME=fake \\
                            sh "$state/$id.sh" >"$(echo "$output" | sed "s/%A/$id/; s/%a/$index/")" 2>&1
                        index=$((index + 1))
                    done
                    echo 0 >"$state/$id.status"
                fi
                rm "$state/$id.active"
            ) </dev/null >/dev/null 2>&1 &
            echo "$id"

            """)
        try sandbox.file("fake-slurm/bin/squeue", """
            #!/bin/sh
            for file in '\(state.path)'/*.active; do
                [ -e "$file" ] && echo "$(basename "$file" .active)|RUNNING"
            done
            exit 0

            """)
        for tool in ["sbatch", "squeue"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent(tool).path)
        }
        return bin.path + ":/usr/bin:/bin"
    }

    /// The job of the shared stages may start, and read the record, before `sbatch` has
    /// returned its job ID and that ID is written in: it must find its stages there all the
    /// same, compute them, and leave none for the tasks.
    @Test func aSharedJobStartingAtOnceComputesTheSharedStages() throws {
        try sandbox.file("Sweep.manifest", TestNotebook.pipeline)
        let path = try writeImmediateSlurm()
        // Killed after two minutes: a job that never ends fails the test instead of hanging it.
        let result = try sandbox.nbrun(["Sweep.manifest", "--output", "out", "--cache", "cache", "--sweep", "histogram.bins=2,4",
                                        "--on", "slurm", "--wait"], environment: ["PATH": path], timeout: 120)
        #expect(result.status == 0 && !result.timedOut, "\(result.output)")
        #expect(result.output.contains("after a job computing the shared stages generate, square, summarize"), "\(result.output)")
        #expect(result.output.contains("sweep report:"), "\(result.output)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: sandbox.url("out/slurm").path).filter { $0.hasSuffix(".log") }.sorted()
        #expect(logs == ["slurm-101.log", "slurm-102_0.log", "slurm-102_1.log"])
        let shared = try String(contentsOf: sandbox.url("out/slurm/slurm-101.log"), encoding: .utf8)
        #expect(shared.contains("the shared stages generate, square, summarize") && shared.contains("▶ generate")
                && shared.contains("▶ summarize") && !shared.contains("▶ histogram"),
                "\(shared)")
        for task in ["slurm-102_0.log", "slurm-102_1.log"] {
            let log = try String(contentsOf: sandbox.url("out/slurm/\(task)"), encoding: .utf8)
            #expect(log.contains("▶ histogram") && !log.contains("▶ generate") && !log.contains("▶ summarize"), "\(task):\n\(log)")
        }
    }

    /// A record a job cannot act on (edited, or from a submission that never reached `sbatch`)
    /// stops the job with a message naming the record, never a crash or a run of nothing.
    @Test func aJobWhoseRecordDoesNotDescribeItStopsWithTheRecordsName() throws {
        let record = try sandbox.file("out/slurm/sweep.json", """
            {"format": 1, "manifest": "\(sandbox.url("Test.manifest").path)", "fixed": [], "axes": ["generate.count=1,2"],
             "outputDirectory": "\(sandbox.url("out").path)", "variants": [["generate.count=1"], ["generate.count=2"]],
             "submissions": [{"submittedAt": "2026-11-26T12:00:00Z", "nbrun": "/x/nbrun", "arrayJobID": "", "sbatchArguments": [],
                              "tasks": [{"variant": 1, "jobID": "", "log": ""}, {"variant": 7, "jobID": "", "log": ""}]}]}
            """)
        let shared = try nbrun(["slurm-task", record.path, "--submission", "0", "--shared"])
        #expect(shared.status == 1, "\(shared.output)")
        #expect(shared.output.contains("submission 0 in \(record.path) names no shared stages for this job to compute"), "\(shared.output)")
        let outOfRange = try RunningNBRun(binary, ["slurm-task", record.path, "--submission", "0"], in: folder,
                                          environment: ProcessInfo.processInfo.environment.merging(["SLURM_ARRAY_TASK_ID": "1"]) { $1 }).finish()
        #expect(outOfRange.status == 1, "\(outOfRange.output)")
        #expect(outOfRange.output.contains("array task 1 has no variant in \(record.path)"), "\(outOfRange.output)")
        #expect(!sandbox.exists("out/generate"))
    }
}
