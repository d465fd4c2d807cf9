import Foundation
import NBRunTestSupport
import Testing

/// An empty path parameter through the real executable: `--set words.text=` or `text: ""`
/// would otherwise resolve to the manifest's folder (or, for an optional parameter, quietly
/// mean "no file"), so a typo is refused by name before anything is written, while the
/// documented spellings of "no file" (`none`, `~`, `null`) keep working.
@Suite("Empty path parameters are refused, by name and source")
struct EmptyPathProcessTests {
    static func manifest(text: String) -> String {
        """
        title: empty paths
        cells:
          - stage: generate
            kind: demo.generate
            parameters: {count: 3}
          - stage: words
            kind: demo.count-words
            parameters:
              text: \(text)
        """
    }

    func sandbox(text: String = "words.txt") throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.file("nb/words.txt", "one two three\n")
        try sandbox.file("nb/Test.manifest", Self.manifest(text: text))
        return sandbox
    }

    @Test(arguments: ["", " ", "   "])
    func emptySetValueIsRefusedNamingTheArgument(value: String) throws {
        let sandbox = try sandbox()
        let before = sandbox.snapshot()
        for command in [["Test.manifest"], ["status", "Test.manifest"], ["Test.manifest", "--dry-run"]] {
            let result = try sandbox.nbrun(command + ["--output", "o", "--set", "words.text=\(value)"], in: "nb")
            #expect(result.status == 2, "\(command): \(result.output)")
            #expect(result.output.contains("nbrun: error: --set words.text=\(value): parameter 'words.text' is an empty path"),
                    "\(command): \(result.output)")
            #expect(result.output.contains("write `none` for no file"), "an optional parameter says how to give no file: \(result.output)")
        }
        #expect(sandbox.snapshot().differences(from: before) == [], "nothing run, nothing written")
    }

    @Test(arguments: ["\"\"", "''", "\" \""])
    func emptyManifestValueIsRefusedAtItsLine(text: String) throws {
        let sandbox = try sandbox(text: text)
        let before = sandbox.snapshot()
        let result = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb")
        #expect(result.status == 2, "\(result.output)")
        let manifest = sandbox.url("nb/Test.manifest").path
        #expect(result.output.contains("nbrun: error: \(manifest):9:13: parameter 'words.text' is an empty path"), "\(result.output)")
        #expect(sandbox.snapshot().differences(from: before) == [])
    }

    /// A key with no value at all is as likely a forgotten path as a wish for none: refused too.
    @Test func missingManifestValueIsRefused() throws {
        let sandbox = try sandbox(text: "")
        let result = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb")
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("parameter 'words.text' is an empty path"), "\(result.output)")
        #expect(!sandbox.exists("nb/o"))
    }

    /// The documented ways of saying "no file" for an optional path parameter.
    @Test func noneTildeAndNullStillMeanNoFile() throws {
        for spelling in ["none", "~", "null"] {
            let sandbox = try sandbox(text: spelling)
            let fromManifest = try sandbox.nbrun(["Test.manifest", "--output", "o"], in: "nb")
            #expect(fromManifest.status == 0, "\(spelling): \(fromManifest.output)")
            #expect(fromManifest.output.contains("no text file given"), "\(spelling): \(fromManifest.output)")
            let fromSet = try sandbox.nbrun(["Test.manifest", "--output", "p", "--set", "words.text=words.txt"], in: "nb")
            #expect(fromSet.output.contains("words.txt: 3 words"), "\(fromSet.output)")
        }
        let sandbox = try sandbox()
        let overridden = try sandbox.nbrun(["Test.manifest", "--output", "o", "--set", "words.text=none"], in: "nb")
        #expect(overridden.status == 0, "\(overridden.output)")
        #expect(overridden.output.contains("no text file given"), "\(overridden.output)")
        // `.` still names the manifest's folder, deliberately.
        let folder = try sandbox.nbrun(["status", "Test.manifest", "--output", "o", "--set", "words.text=."], in: "nb")
        #expect(folder.status == 0, "\(folder.output)")
    }

    /// A sweep value made only of blanks is the same typo.
    @Test func blankSweepValueIsRefused() throws {
        let sandbox = try sandbox()
        let result = try sandbox.nbrun(["Test.manifest", "--output", "o", "--sweep", "words.text=words.txt, "], in: "nb")
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("parameter 'words.text' is an empty path"), "\(result.output)")
        #expect(!sandbox.exists("nb/o"))
    }
}
