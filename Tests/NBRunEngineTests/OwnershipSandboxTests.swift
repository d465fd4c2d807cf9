import Foundation
import NBRunEngine
import NBRunTestSupport
import SeededRandom
import Testing

/// Issue 11's randomized test: manifests and `--output`s with hostile paths (relative,
/// absolute, `..` chains, links, the home folder, folders full of someone's files), and
/// random sequences of `run`, `run --force`, `run --stage`, `status` and `clean` through
/// the real executable. After every command, every file and folder that existed before
/// nbrun first ran must still be there, unchanged (links with the same target): whatever
/// nbrun deleted or replaced, it had written itself.
///
/// `NBRUN_SANDBOX_COMMANDS` (default 40, a few seconds) sets the number of commands and
/// `NBRUN_SANDBOX_SEED` the seed; a failure prints both, so it can be replayed.
@Suite("Hostile output paths in a sandbox")
struct OwnershipSandboxTests {
    static let stages = """
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 4}
          - stage: square
            kind: demo.square
            reads: [generate]
          - stage: words
            kind: demo.count-words
            parameters: {text: words.txt}
        """

    /// Outputs as a manifest or `--output` may give them, relative to the manifest's folder
    /// (`proj/nb`) unless absolute. `$S` stands for the sandbox's absolute path.
    static let outputs = [
        "out", "out/deeper/still", "../out", "..", "../..", "../../..", ".", "./", "nb-out/../..",
        "../../home", "$S/home", "$S/home/sub-new", "../../victim", "../../victim/sub", "$S/victim/new-folder",
        "../../existing", "../../existing-stage", "../../empty", "$S/empty", "link-to-victim", "link-to-victim/new",
        "link-to-empty", "link-to-home", "../../proj/.git", "../../proj/.git/out", "$S", "$S/proj", "$S/new/deep/out",
        "../data", "../data/out", "out/../../nb/out", "~", "",
    ]

    static let commands: [[String]] = [
        ["Test.manifest"], ["Test.manifest", "--force"], ["Test.manifest", "--stage", "square"],
        ["clean", "Test.manifest"], ["clean", "Test.manifest"], ["status", "Test.manifest"],
    ]

    func makeSandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.folder("proj/.git")
        try sandbox.file("proj/.git/HEAD", "ref: refs/heads/main\n")
        try sandbox.file("proj/important.txt", "keep me\n")
        try sandbox.file("proj/nb/words.txt", "a b c\n")
        try sandbox.file("proj/data/numbers.txt", "1 2 3\n")
        try sandbox.file("home/.profile", "export X=1\n")
        try sandbox.file("home/notes/todo.txt", "buy milk\n")
        try sandbox.file("victim/a.txt", "a\n")
        try sandbox.file("victim/sub/b.txt", "b\n")
        try sandbox.file("existing/keep/file.txt", "mine\n")
        try sandbox.file("existing/report.md", "my own report\n")
        try sandbox.file("existing-stage/generate/mine.txt", "mine\n")
        try sandbox.file("existing-stage/.lock", "")
        try sandbox.folder("empty")
        try sandbox.link("proj/nb/link-to-victim", to: sandbox.url("victim").path)
        try sandbox.link("proj/nb/link-to-empty", to: "../../empty")
        try sandbox.link("proj/nb/link-to-home", to: sandbox.url("home").path)
        try sandbox.link("victim/loop", to: "..")
        try sandbox.fifo("victim/pipe")
        return sandbox
    }

    @Test func noCommandSequenceLosesOrChangesAFileNBRunDidNotWrite() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["NBRUN_SANDBOX_COMMANDS"].flatMap(Int.init) ?? 40
        let seed = environment["NBRUN_SANDBOX_SEED"].flatMap(UInt64.init) ?? 20261126
        var generator = SplitMix64(seed: seed)
        let sandbox = try makeSandbox()
        let home = ["HOME": sandbox.url("home").path]
        let original = sandbox.snapshot()
        var outcomes: [Int32: Int] = [:]
        for step in 0..<count {
            let output = Self.outputs.randomElement(using: &generator)!.replacingOccurrences(of: "$S", with: sandbox.root.path)
            var command = Self.commands.randomElement(using: &generator)!
            // The output comes from the manifest or from --output (where the shell would have expanded nothing).
            let viaManifest = Bool.random(using: &generator) && !output.isEmpty
            let header = viaManifest ? "title: sandbox\noutput: \"\(output)\"\n" : "title: sandbox\n"
            try sandbox.file("proj/nb/Test.manifest", header + Self.stages)
            if !viaManifest { command += ["--output", output] }
            let result = try sandbox.nbrun(command, in: "proj/nb", environment: home, timeout: 60)
            outcomes[result.status, default: 0] += 1
            let context = "seed \(seed), step \(step): nbrun \(command.joined(separator: " "))"
                + (viaManifest ? " with output: \(output)" : "") + "\n\(result.output)"
            #expect(!result.timedOut, "hung: \(context)")
            #expect([0, 1, 2, 64].contains(result.status), "unexpected exit: \(context)")
            let now = sandbox.snapshot()
            let lost = original.entries.keys.sorted().filter { now.entries[$0] != original.entries[$0] }
                .map { "\($0): \(original.entries[$0]!) → \(now.entries[$0] ?? "missing")" }
            #expect(lost.isEmpty, "\(context)\nchanged or missing: \(lost)")
            if !lost.isEmpty { break }
        }
        print("ownership sandbox: \(count) commands (seed \(seed)), exit codes \(outcomes.sorted { $0.key < $1.key })")
    }
}
