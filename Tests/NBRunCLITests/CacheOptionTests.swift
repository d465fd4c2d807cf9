import Foundation
import NBRunTestSupport
import Testing

/// `--cache DIR` through the nbrun executable: variants land in that folder, and a folder
/// nbrun must not use is refused by name before anything is written.
@Suite("The --cache option")
struct CacheOptionTests {
    /// Removed with the suite instance, after each test.
    let sandbox: Sandbox
    let binary: URL
    var folder: URL { sandbox.root }

    init() throws {
        binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        sandbox = try Sandbox()
        try sandbox.file("Test.manifest", """
            title: "Cache option"
            cells:
              - stage: generate
                kind: demo.generate
                parameters: {seed: 3, count: 20}
              - stage: square
                kind: demo.square
                reads: [generate]

            """)
    }

    func nbrun(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try RunningNBRun(binary, arguments, in: folder).finish()
    }

    @Test func variantsGoToTheCacheFolderAndComeBackFromIt() throws {
        let first = try nbrun(["Test.manifest", "--output", "out", "--cache", "shared/cache"])
        #expect(first.status == 0, "\(first.output)")
        let cache = folder.appendingPathComponent("shared/cache")
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("stages/square").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/.cache").path))
        // Another output folder on the same cache restores instead of computing.
        let second = try nbrun(["Test.manifest", "--output", "other", "--cache", cache.path])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("↺ square: restored from the cache"), "\(second.output)")
        let runs = try nbrun(["runs", "Test.manifest", "--output", "other", "--cache", cache.path])
        #expect(runs.output.contains("square: 1 variant"), "\(runs.output)")
    }

    @Test func refusesLinksFIFOsForeignAndDangerousFolders() throws {
        let real = folder.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("link"), withDestinationURL: real)
        #expect(mkfifo(folder.appendingPathComponent("fifo").path, 0o600) == 0)
        try Data("mine".utf8).write(to: real.appendingPathComponent("notes.txt"))
        let cases: [(String, String)] = [
            ("link", "it is a symbolic link, not a folder"),
            ("fifo", "it is a FIFO (named pipe), not a folder"),
            ("real", "it holds entries nbrun did not write (notes.txt)"),
            ("/", "it is the root folder"),
            ("out", "it is the output folder"),
            ("", "the --cache path is empty"),
        ]
        for (path, message) in cases {
            let result = try nbrun(["Test.manifest", "--output", "out", "--cache", path])
            // An empty value is refused while parsing (exit 64), the others once the manifest is read.
            #expect(result.status == (path.isEmpty ? 64 : 2), "\(path): \(result.output)")
            #expect(result.output.contains(message), "\(path): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        #expect(try String(contentsOf: real.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
    }
}
