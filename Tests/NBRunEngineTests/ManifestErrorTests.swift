import DemoNotebook
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Manifest errors name the file, line and column, and nothing runs")
struct ManifestErrorTests {
    func error(_ text: String, overrides: [String] = []) throws -> ManifestError {
        let notebook = try TestNotebook(text)
        do {
            let manifest = try notebook.load(overrides)
            Issue.record("expected an error, loaded \(manifest.stages.count) stages")
            throw CancellationError()
        } catch let error as RunError {
            guard case .manifest(let manifestError) = error else { throw error }
            #expect(!FileManager.default.fileExists(atPath: notebook.output.path), "nothing may run")
            return manifestError
        } catch let error as ManifestError {
            return error
        }
    }

    func location(_ error: ManifestError) -> ManifestLocation? {
        switch error {
        case .malformedYAML(let at, _), .expected(let at, _, _), .unknownKey(let at, _, _), .missingKey(let at, _, _),
             .duplicateKey(let at, _), .unknownStageKind(let at, _, _), .duplicateStageName(let at, _, _),
             .invalidStageName(let at, _), .readsUnknownStage(let at, _, _, _), .readsLaterStage(let at, _, _),
             .dependencyCycle(let at, _), .unknownParameter(let at, _, _, _), .wrongParameterType(let at, _, _, _, _),
             .parameterOutOfRange(let at, _, _, _, _), .notAChoice(let at, _, _, _, _),
             .invalidParameterValue(let at, _, _, _, _), .missingPath(let at, _, _, _, _), .emptyPath(let at, _, _, _),
             .nestedTooDeeply(let at, _, _), .tooManyStages(let at, _), .codeNotFound(let at, _, _):
            return at
        case .unreadable, .invalidOverride:
            return nil
        }
    }

    func expectAt(_ error: ManifestError, line: Int, column: Int) {
        let at = location(error)
        #expect(at?.line == line && at?.column == column, "\(error)")
        #expect(error.description.contains("Test.manifest:\(line):\(column)"), "\(error)")
    }

    @Test func malformedYAML() throws {
        let error = try error("title: x\ncells:\n  - stage: [unclosed\n")
        guard case .malformedYAML(let at, _) = error else { Issue.record("\(error)"); return }
        #expect(at.line >= 3)
        #expect(error.description.contains("Test.manifest:") && error.description.contains("malformed YAML"))
    }

    @Test func unknownTopLevelKey() throws {
        let error = try error("title: x\ncells: []\noutptu: out\n")
        guard case .unknownKey(_, "outptu", let allowed) = error else { Issue.record("\(error)"); return }
        #expect(allowed == ["title", "output", "uses", "cells"])
        expectAt(error, line: 3, column: 1)
    }

    @Test func unknownStageKey() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.generate\n    read: []\n")
        guard case .unknownKey(_, "read", _) = error else { Issue.record("\(error)"); return }
        expectAt(error, line: 5, column: 5)
        #expect(error.description.contains("reads"))
    }

    @Test func unknownStageKindListsKnownKinds() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.genrate\n")
        guard case .unknownStageKind(_, "demo.genrate", let known) = error else { Issue.record("\(error)"); return }
        #expect(known.contains("demo.generate") && known.contains("demo.square"))
        expectAt(error, line: 4, column: 11)
        #expect(error.description.contains("demo.generate"))
    }

    @Test func duplicateStageName() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.generate\n  - stage: a\n    kind: demo.generate\n")
        guard case .duplicateStageName(_, "a", let first) = error else { Issue.record("\(error)"); return }
        #expect(first.line == 3)
        expectAt(error, line: 5, column: 12)
    }

    @Test func readingUnknownStage() throws {
        let error = try error("title: x\ncells:\n  - stage: sq\n    kind: demo.square\n    reads: [nothing]\n")
        guard case .readsUnknownStage(_, "nothing", "sq", _) = error else { Issue.record("\(error)"); return }
        expectAt(error, line: 3, column: 12)
    }

    @Test func readingLaterStage() throws {
        let error = try error("""
            title: x
            cells:
              - stage: sq
                kind: demo.square
                reads: [gen]
              - stage: gen
                kind: demo.generate
            """)
        guard case .readsLaterStage(_, "gen", "sq") = error else { Issue.record("\(error)"); return }
        expectAt(error, line: 3, column: 12)
        #expect(error.description.contains("comes later"))
    }

    @Test func dependencyCycle() throws {
        let error = try error("""
            title: x
            cells:
              - stage: a
                kind: demo.square
                reads: [b]
              - stage: b
                kind: demo.square
                reads: [a]
            """)
        guard case .dependencyCycle(_, let path) = error else { Issue.record("\(error)"); return }
        #expect(path == ["a", "b", "a"])
        #expect(error.description.contains("a -> b -> a"))
        let selfCycle = try self.error("title: x\ncells:\n  - stage: a\n    kind: demo.square\n    reads: [a]\n")
        guard case .dependencyCycle(_, ["a", "a"]) = selfCycle else { Issue.record("\(selfCycle)"); return }
    }

    @Test func unknownParameterListsDeclaredOnes() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.generate\n    parameters: {seed: 1, cuont: 3}\n")
        guard case .unknownParameter(_, "a", "cuont", let declared) = error else { Issue.record("\(error)"); return }
        #expect(declared == ["seed", "count"])
        expectAt(error, line: 5, column: 27)
        #expect(error.description.contains("seed, count"))
    }

    @Test func wrongParameterType() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.generate\n    parameters:\n      count: many\n")
        guard case .wrongParameterType(_, "a", "count", let expected, "many") = error else { Issue.record("\(error)"); return }
        #expect(expected.contains("integer"))
        expectAt(error, line: 6, column: 14)
        let boolean = try self.error("title: x\ncells:\n  - stage: f\n    kind: demo.fail\n    parameters: {should-fail: maybe}\n")
        guard case .wrongParameterType(_, "f", "should-fail", _, "maybe") = boolean else { Issue.record("\(boolean)"); return }
    }

    @Test func parameterOutOfRange() throws {
        let error = try error("title: x\ncells:\n  - stage: a\n    kind: demo.generate\n    parameters: {count: 0}\n")
        guard case .parameterOutOfRange(_, "a", "count", "0", let range) = error else { Issue.record("\(error)"); return }
        #expect(range == "1...1000000")
        expectAt(error, line: 5, column: 25)
    }

    @Test func missingTitleAndKinds() throws {
        let noTitle = try error("cells: []\n")
        guard case .missingKey(_, "title", _) = noTitle else { Issue.record("\(noTitle)"); return }
        let noKind = try error("title: x\ncells:\n  - stage: a\n")
        guard case .missingKey(_, "kind", _) = noKind else { Issue.record("\(noKind)"); return }
        let notList = try error("title: x\ncells: {a: 1}\n")
        guard case .expected(_, "a list of cells", _) = notList else { Issue.record("\(notList)"); return }
        let empty = try error("")
        guard case .expected = empty else { Issue.record("\(empty)"); return }
    }

    @Test func duplicateKey() throws {
        let error = try error("title: x\ntitle: y\ncells: []\n")
        guard case .duplicateKey(_, "title") = error else { Issue.record("\(error)"); return }
        expectAt(error, line: 2, column: 1)
    }

    @Test func missingDataPathShowsWhereNbrunLooked() throws {
        let notebook = try TestNotebook("title: x\ncells:\n  - stage: w\n    kind: demo.count-words\n    parameters: {text: no/such.txt}\n")
        let error: ManifestError
        do { _ = try notebook.load(); Issue.record("expected a missing path error"); return } catch let thrown as RunError {
            guard case .manifest(let manifestError) = thrown else { throw thrown }
            error = manifestError
        }
        let expected = notebook.folder.appendingPathComponent("no/such.txt").standardizedFileURL.path
        guard case .missingPath(_, "w", "text", "no/such.txt", expected) = error else { Issue.record("\(error)"); return }
        #expect(error.description.contains("names 'no/such.txt', which does not exist (looked for \(expected); relative paths are resolved against the manifest's folder)"), "\(error)")
    }

    @Test func missingPathUnderHomeShowsTheExpandedPath() throws {
        let error = try error("title: x\ncells:\n  - stage: w\n    kind: demo.count-words\n    parameters: {text: ~/nbrun-no-such-file.txt}\n")
        let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path
        guard case .missingPath(_, "w", "text", "~/nbrun-no-such-file.txt", let resolved) = error else { Issue.record("\(error)"); return }
        #expect(resolved == home + "/nbrun-no-such-file.txt")
        #expect(error.description.contains("looked for \(resolved))"), "\(error)")
        #expect(!error.description.contains("relative paths"), "\(error)")
    }

    @Test func emptyPathIsRefusedAtItsValueAndThroughSet() throws {
        let error = try error("title: x\ncells:\n  - stage: w\n    kind: demo.count-words\n    parameters: {text: \"\"}\n")
        guard case .emptyPath(_, "w", "text", true) = error else { Issue.record("\(error)"); return }
        expectAt(error, line: 5, column: 24)
        #expect(error.description.hasSuffix("parameter 'w.text' is an empty path, which would name the manifest's folder; "
            + "write a file or folder (`.` for the manifest's folder itself), or write `none` for no file"), "\(error)")
        let overridden = try self.error("title: x\ncells:\n  - stage: w\n    kind: demo.count-words\n", overrides: ["w.text= "])
        guard case .invalidOverride("w.text= ", let reason) = overridden else { Issue.record("\(overridden)"); return }
        #expect(reason.hasPrefix("parameter 'w.text' is an empty path"), "\(reason)")
        #expect(overridden.description.hasPrefix("--set w.text= : parameter 'w.text' is an empty path"), "\(overridden)")
    }

    @Test func booleansAcceptTheDocumentedSpellings() throws {
        for (text, value) in [("true", true), ("Yes", true), ("ON", true), ("false", false), ("no", false), ("Off", false)] {
            let notebook = try TestNotebook("title: x\ncells:\n  - stage: f\n    kind: demo.fail\n    parameters: {should-fail: \(text)}\n")
            #expect(try notebook.load().stages.first?.parameters["should-fail"] == .boolean(value), "\(text)")
        }
        let error = try error("title: x\ncells:\n  - stage: f\n    kind: demo.fail\n    parameters: {should-fail: maybe}\n")
        guard case .wrongParameterType(_, "f", "should-fail", _, "maybe") = error else { Issue.record("\(error)"); return }
    }

    @Test func pluginsResolvePathsLikeTheManifest() {
        let base = URL(fileURLWithPath: "/notebooks/demo", isDirectory: true)
        #expect(ParameterValue.resolve(path: "data/../in.txt", against: base).path == "/notebooks/demo/in.txt")
        #expect(ParameterValue.resolve(path: "/abs/in.txt", against: base).path == "/abs/in.txt")
        #expect(ParameterValue.resolve(path: "~/in.txt", against: base).path
                == FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path + "/in.txt")
    }

    @Test func badOverrides() throws {
        let manifest = "title: x\ncells:\n  - stage: a\n    kind: demo.generate\n"
        for (text, fragment) in [("a.count", "STAGE.PARAMETER=VALUE"), ("b.count=3", "no stage named 'b'"),
                                 ("a.cont=3", "declared: seed, count"), ("a.count=x", "expects integer"),
                                 ("a.count=0", "out of range")] {
            let error = try self.error(manifest, overrides: [text])
            guard case .invalidOverride = error else { Issue.record("\(text): \(error)"); continue }
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test func validManifestResolvesDefaultsAndOverrides() throws {
        let notebook = try TestNotebook()
        let manifest = try notebook.load(["generate.count=5"])
        let generate = try #require(manifest.stage(named: "generate"))
        #expect(generate.parameters["count"] == .integer(5))
        #expect(generate.parameters["seed"] == .integer(3))
        #expect(generate.overriddenParameters == ["count"])
        #expect(manifest.stage(named: "summarize")?.parameters["label"] == .string("sum of squares"))
        #expect(manifest.cells.count == 5)
    }
}
