import DemoNotebook
import Foundation
@testable import NBRun
@testable import NBRunEngine
import SafeText
import Testing

/// Nesting measured on the YAML structure, the stage cap, an iterative cycle search, and
/// messages that cannot carry terminal escapes (issue 17, items 3, 4 and 12).
@Suite("Manifest limits: real nesting depth, stage count, long chains")
struct ManifestLimitTests {
    static let fileURL = URL(fileURLWithPath: "/limits/Limits.manifest")

    func parse(_ text: String) throws -> Manifest {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        return try loader.parse(Data(text.utf8), fileURL: Self.fileURL)
    }

    func error(_ text: String) throws -> ManifestError {
        do {
            let manifest = try parse(text)
            Issue.record("loaded \(manifest.cells.count) cells")
            throw CancellationError()
        } catch let error as ManifestError {
            return error
        }
    }

    // MARK: Nesting

    /// Prose is text: brackets in it are not nesting, however many there are.
    @Test func proseFullOfBracketsLoads() throws {
        let line = "      the interval [0, 1) and {a, b] and [[[ ((( \"]]]\" '{{{'\n"
        let text = "title: intervals\ncells:\n  - prose: |\n" + String(repeating: line, count: 200)
            + "  - stage: g\n    kind: demo.generate\n    parameters: {seed: 1}\n"
        let manifest = try parse(text)
        #expect(manifest.cells.count == 2)
        let quoted = "title: \"" + String(repeating: "[0, 1) ", count: 300) + "\"\ncells: []\n"
        #expect(try parse(quoted).title.hasPrefix("[0, 1) [0, 1)"))
    }

    /// The issue's bypass: 5,000 real levels, `[` runs separated by quoted `]` runs, so a
    /// bracket counter that also counts quoted text sees almost no depth. It is a clear
    /// error now (it crashed every subcommand in Yams' recursion before).
    @Test func fiveThousandRealLevelsAreAClearError() throws {
        let levels = 5000
        let text = "title: x\ncells: " + String(repeating: "[\"]]]]]\", ", count: levels) + String(repeating: "]", count: levels) + "\n"
        let error = try error(text)
        guard case .nestedTooDeeply(let at, let depth, let limit) = error else { Issue.record("got \(error)"); return }
        #expect(limit == ManifestLoader.maximumNesting && depth == limit + 1)
        #expect(at.line == 2)
        #expect(error.description.contains("Limits.manifest:2:") && error.description.contains("at most 200 levels"))
    }

    /// Collections nested `levels` deep under `cells`, written in one YAML style.
    static func nested(_ style: String, _ levels: Int) -> String {
        switch style {
        case "flow": "title: x\ncells: " + String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        case "block": "title: x\ncells:\n" + String(repeating: "- ", count: levels) + "a\n"
        default: "title: x\ncells: " + String(repeating: "{a: ", count: levels) + "b" + String(repeating: "}", count: levels)
        }
    }

    @Test(arguments: ["flow", "block", "mapping"])
    func depthIsCountedExactly(style: String) throws {
        let nested = { (levels: Int) in Self.nested(style, levels) }
        // The root mapping is one level: `cells` may hold 199 more, not 200.
        let deepest = try error(nested(ManifestLoader.maximumNesting - 1))
        if case .nestedTooDeeply = deepest { Issue.record("\(style): 200 levels were refused") }
        let tooDeep = try error(nested(ManifestLoader.maximumNesting))
        guard case .nestedTooDeeply(_, 201, 200) = tooDeep else { Issue.record("\(style): got \(tooDeep)"); return }
        let farTooDeep = try error(nested(100_000))
        guard case .nestedTooDeeply(_, 201, 200) = farTooDeep else { Issue.record("\(style): got \(farTooDeep)"); return }
    }

    /// Each anchor nests the previous one ten levels deeper: a shallow text whose composed
    /// tree would be 1,000 levels deep. Aliases are counted where they are used.
    @Test func aliasesCountAtTheirFullDepth() throws {
        var text = "x0: &a0 [[[[[[[[[[1]]]]]]]]]]\n"
        for index in 1..<100 {
            text += "x\(index): &a\(index) [[[[[[[[[[*a\(index - 1)]]]]]]]]]]\n"
        }
        let error = try error(text + "title: x\ncells: []\n")
        guard case .nestedTooDeeply(let at, 201, 200) = error else { Issue.record("got \(error)"); return }
        #expect(at.line == 20, "anchor 19 holds 200 levels; its use on line 20 goes deeper")
        // The root mapping, b's list, and the two levels `*a` brings: 4.
        #expect(ManifestNesting.firstExcess(in: "a: &a [[1]]\nb: [*a, *a]\n", limit: 4) == nil)
        #expect(ManifestNesting.firstExcess(in: "a: &a [[1]]\nb: [*a, *a]\n", limit: 3) == .init(line: 2, column: 5, depth: 4))
    }

    @Test func malformedYAMLIsLeftToTheParsersOwnMessage() throws {
        #expect(ManifestNesting.firstExcess(in: "title: [a, b\ncells: ]]]", limit: 200) == nil)
        guard case .malformedYAML = try error("title: [a, b\ncells: ]]]") else { Issue.record("expected malformed YAML"); return }
    }

    // MARK: Stage graphs

    /// One stage per line (flow style keeps 75,000 stages under the size cap); each reads
    /// the one before it, unless told otherwise.
    static func chain(_ count: Int, firstReads first: String? = nil, lastReadsAll: Bool = false) -> String {
        var text = "title: chain\ncells:\n"
        text.reserveCapacity(count * 52)
        for index in 0..<count {
            var reads: [String] = []
            if index == 0, let first {
                reads = [first]
            } else if lastReadsAll {
                if index == count - 1 { reads = (0..<index).map { "s\($0)" } }
            } else if index > 0 {
                reads = ["s\(index - 1)"]
            }
            text += "- {stage: s\(index),kind: demo.generate,reads: [\(reads.joined(separator: ","))]}\n"
        }
        return text
    }

    /// The issue's 75,000-stage chain, whose first stage reads the last, overflowed the
    /// stack in a recursive cycle search. The stage cap now stops it first, by location.
    @Test func moreStagesThanTheCapIsAClearError() throws {
        let error = try error(Self.chain(75_000, firstReads: "s74999"))
        guard case .tooManyStages(let at, 1000) = error else { Issue.record("got \(error)"); return }
        #expect(at.line == 3 + 1000 && at.column == 3, "the location is the first stage over the cap")
        #expect(error.description.contains("more than 1000 stages"))
        guard case .tooManyStages = try self.error(Self.chain(1001)) else { Issue.record("1001 stages loaded"); return }
    }

    @Test func aChainAsLongAsTheCapLoadsAndItsCycleIsFoundWithoutRecursion() throws {
        #expect(try parse(Self.chain(ManifestLoader.maximumStages)).stages.count == 1000)
        let error = try error(Self.chain(1000, firstReads: "s999"))
        guard case .dependencyCycle(_, let path) = error else { Issue.record("got \(error)"); return }
        #expect(path.count == 1001 && path.first == "s0" && path[1] == "s999" && path.last == "s0")
        #expect(error.description.contains("s0 -> s999 -> s998") && error.description.contains("(991 more)"))
        #expect(error.description.count < 300, "a long cycle is summarised")
    }

    @Test func wideFanInUpToTheCapLoads() throws {
        let manifest = try parse(Self.chain(1000, lastReadsAll: true))
        #expect(manifest.stages.last?.reads.count == 999)
    }

    @Test func cycleSearchFindsAPathThroughBranches() {
        let reads = ["a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": [], "e": ["a"]]
        #expect(ManifestNodeReader.path(from: "b", to: "a", readsByName: reads) == nil)
        #expect(ManifestNodeReader.path(from: "c", to: "a", readsByName: reads) == ["c", "e", "a"])
        #expect(ManifestNodeReader.path(from: "a", to: "a", readsByName: reads) == ["a"])
    }

    // MARK: Messages

    /// A key carrying an ANSI sequence is quoted in the message escaped.
    @Test func controlCharactersFromTheManifestAreEscapedInMessages() throws {
        let error = try error("title: x\ncells: []\n\"evil\\e[2J\\a\": 1\n")
        guard case .unknownKey(_, let key, _) = error else { Issue.record("got \(error)"); return }
        #expect(key == "evil\u{1B}[2J\u{7}")
        #expect(error.description.contains(#"'evil\u{1B}[2J\u{7}'"#), "\(error.description)")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }

    /// Stage output and runner lines reach the terminal without raw control characters;
    /// line breaks and tabs stay.
    @Test func consoleLinesEscapeControlCharacters() {
        let console = Console.recording()
        console.line("loss\u{1B}[31m red\u{1B}]0;title\u{7}\tok\r\nsecond\u{202E}line")
        #expect(console.text == "loss\\u{1B}[31m red\\u{1B}]0;title\\u{7}\tok\\u{D}\nsecond\\u{202E}line\n")
        #expect("plain ü text".escapingControlCharacters() == "plain ü text")
    }
}
