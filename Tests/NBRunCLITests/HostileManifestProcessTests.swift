import Foundation
import NBRunTestSupport
import Testing

/// The manifests of issue 17 that crashed every subcommand (exit 139), and text with
/// terminal escapes, through the real `nbrun` executable.
@Suite("Hostile manifests through the nbrun executable")
struct HostileManifestProcessTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, exited: Bool) {
        let binary = try #require(nbrunBinary, "build nbrun first (swift build --build-tests)")
        let running = try RunningNBRun(binary, arguments, in: folder)
        let (status, output) = running.finish()
        return (status, output, running.process.terminationReason == .exit)
    }

    @Test func deepNestingAndHugeChainsAreUsageErrorsInEverySubcommand() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // 5,000 real levels, `[` runs separated by quoted `]` runs (15 KB of text).
        let deep = "title: x\ncells: " + String(repeating: "[\"]]]\", ", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        try Data(deep.utf8).write(to: folder.appendingPathComponent("deep.manifest"))
        // 75,000 stages in a chain whose first stage reads the last.
        var chain = "title: chain\ncells:\n"
        for index in 0..<75_000 {
            chain += "- {stage: s\(index),kind: demo.generate,reads: [s\(index == 0 ? 74_999 : index - 1)]}\n"
        }
        try Data(chain.utf8).write(to: folder.appendingPathComponent("chain.manifest"))
        let cases = [("deep.manifest", "nested 201 levels deep; at most 200 levels are allowed"),
                     ("chain.manifest", "more than 1000 stages")]
        for (manifest, message) in cases {
            for arguments in [[manifest], ["run", manifest, "--dry-run"], ["status", manifest], ["why", manifest, "s0"], ["clean", manifest]] {
                let result = try run(arguments)
                #expect(result.exited, "nbrun \(arguments) was killed by a signal:\n\(result.output)")
                #expect(result.status == 2, "nbrun \(arguments):\n\(result.output)")
                #expect(result.output.contains(message), "nbrun \(arguments):\n\(result.output)")
            }
        }
    }

    /// A stage prints a file name carrying ANSI sequences: the terminal gets it escaped.
    @Test func controlCharactersInStageOutputAreEscapedOnTheTerminal() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = "evil\u{1B}[31m\u{1B}]0;pwned\u{7}.txt"
        try Data("two words\n".utf8).write(to: folder.appendingPathComponent(name))
        let manifest = """
            title: escapes
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: "evil\\e[31m\\e]0;pwned\\a.txt"}
            """
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("Escapes.manifest"))
        let result = try run(["Escapes.manifest", "--output", "out"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(#"evil\u{1B}[31m\u{1B}]0;pwned\u{7}.txt: 2 words"#), "\(result.output)")
        #expect(!result.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" },
                "raw control characters reached the terminal: \(result.output.debugDescription)")
    }
}
