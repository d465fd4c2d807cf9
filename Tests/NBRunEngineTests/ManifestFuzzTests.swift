import DemoNotebook
import Foundation
import NBRunEngine
import NBRunTestSupport
import SeededRandom
import Testing

/// Mutates valid manifests at random and feeds them to the loader: every input must
/// either load or fail with a `ManifestError` whose message names the file; nothing may
/// crash or hang. `NBRUN_FUZZ_ITERATIONS` (default 3000) sets the count; run a long
/// campaign outside CI with, e.g.,
/// `NBRUN_FUZZ_ITERATIONS=1000000 swift test -c release --filter ManifestFuzzTests`.
@Suite("Manifest fuzzing and hostile inputs")
struct ManifestFuzzTests {
    static let fileURL = URL(fileURLWithPath: "/fuzz/fuzz.manifest")
    static let seeds: [String] = [
        TestNotebook.pipeline,
        FailureTests.manifest,
        """
        title: "All kinds"
        output: out/x
        cells:
          - prose: |
              # Heading
              text: with a colon - and a dash
          - stage: g
            kind: demo.generate
            parameters:
              seed: -4
              count: 1000
          - stage: h
            kind: demo.histogram
            parameters: {bins: 100}
            reads: [g]
          - stage: f
            kind: demo.fail
            parameters: {should-fail: false, message: 'quoted # not a comment'}
          - stage: w
            kind: demo.count-words
            parameters: {text: ~}
        """,
    ]
    static let fragments: [String] = [
        ":", "-", " ", "  ", "\n", "\t", "[", "]", "{", "}", "\"", "'", "#", "&anchor ", "*anchor", "!!str ", "!!int ",
        "? ", "<<: ", "---\n", "...\n", "|", ">", "%YAML 1.2\n", "@", "`", "é", "\u{FEFF}", "\u{0}", "\\", "0x1F",
        "stage: ", "kind: ", "reads: ", "parameters: ", "prose: ", "title: ", "cells: ", "output: ",
        "demo.generate", "demo.square", "demo.nope", "generate", "square", "count: ", "99999999999999999999",
        "-1", "1e309", ".nan", "true", "null", "~", "[g, g]", "{a: 1}", "- stage: g\n    kind: demo.square\n    reads: [g]\n",
    ]

    static func mutate(_ text: String, using random: inout SplitMix64) -> Data {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty:  // flip a byte
                let index = min(position, bytes.count - 1)
                bytes[index] ^= UInt8.random(in: 1...255, using: &random)
            case 1:  // insert a YAML-ish fragment
                bytes.insert(contentsOf: Array(fragments.randomElement(using: &random)!.utf8), at: position)
            case 2 where !bytes.isEmpty:  // delete a range
                let end = min(bytes.count, position + Int.random(in: 1...12, using: &random))
                bytes.removeSubrange(min(position, end)..<end)
            case 3:  // duplicate or swap lines
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                guard lines.count > 1 else { break }
                let a = Int.random(in: 0..<lines.count, using: &random), b = Int.random(in: 0..<lines.count, using: &random)
                if Bool.random(using: &random) { lines.swapAt(a, b) } else { lines.insert(lines[a], at: b) }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            case 4:  // truncate
                bytes = Array(bytes.prefix(position))
            case 5:  // re-indent a line
                bytes.insert(contentsOf: Array(repeating: UInt8(ascii: " "), count: Int.random(in: 1...6, using: &random)), at: position)
            default:  // random bytes
                bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
            }
        }
        return Data(bytes)
    }

    @Test func seededMutationsNeverCrashAndAlwaysGiveTypedErrors() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"] ?? "") ?? 3000
        let seed = UInt64(ProcessInfo.processInfo.environment["NBRUN_FUZZ_SEED"] ?? "") ?? 20_261_125
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        var random = SplitMix64(seed: seed)
        var loaded = 0, rejected = 0
        var slowest = 0.0, slowestIteration = 0
        let start = Date()
        for iteration in 0..<iterations {
            let input = Self.mutate(Self.seeds[iteration % Self.seeds.count], using: &random)
            let began = Date()
            do {
                _ = try loader.parse(input, fileURL: Self.fileURL)
                loaded += 1
            } catch {
                rejected += 1
                if error.description.isEmpty || !error.description.contains("fuzz.manifest") {
                    Issue.record("iteration \(iteration) (seed \(seed)): unreadable error: \(error.description)")
                }
            }
            let seconds = Date().timeIntervalSince(began)
            if seconds > slowest { (slowest, slowestIteration) = (seconds, iteration) }
        }
        let elapsed = Date().timeIntervalSince(start)
        print("manifest fuzz: \(iterations) inputs (seed \(seed)), \(loaded) loaded, \(rejected) rejected, \(String(format: "%.1f", elapsed)) s, slowest \(String(format: "%.1f", slowest * 1000)) ms (iteration \(slowestIteration))")
        #expect(rejected > 0 && loaded > 0, "the mutations should produce both valid and invalid manifests")
        #expect(slowest < 2, "no input may take seconds; iteration \(slowestIteration) took \(slowest) s")
    }

    @Test(arguments: [
        ("deep flow nesting", "title: x\ncells: " + String(repeating: "[", count: 100_000)),
        ("deep block nesting", "title: x\ncells:\n" + String(repeating: "- ", count: 100_000) + "a"),
        ("alias bomb", "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\ntitle: x\ncells: [*c]"),
        ("NUL byte", "title: x\u{0}\ncells: []"),
        ("tabs as indentation", "title: x\ncells:\n\t- prose: y"),
        ("two documents", "title: x\ncells: []\n---\ntitle: y\n"),
        ("huge integer", "title: x\ncells:\n  - stage: g\n    kind: demo.generate\n    parameters: {seed: 99999999999999999999999}"),
        ("infinite number", "title: x\ncells:\n  - stage: g\n    kind: demo.generate\n    parameters: {count: .inf}"),
        ("mapping as parameter value", "title: x\ncells:\n  - stage: g\n    kind: demo.generate\n    parameters: {seed: {a: 1}}"),
        ("list as title", "title: [a]\ncells: []"),
        ("key that is a list", "[a]: 1\ntitle: x\ncells: []"),
        ("merge key", "title: x\n<<: {cells: []}\n"),
        ("stage name with a slash", "title: x\ncells:\n  - stage: ../escape\n    kind: demo.generate"),
        ("empty stage name", "title: x\ncells:\n  - stage: ''\n    kind: demo.generate"),
        ("reads a mapping", "title: x\ncells:\n  - stage: g\n    kind: demo.generate\n    reads: {a: b}"),
        ("unterminated quote", "title: \"x\ncells: []"),
        ("only a comment", "# nothing here\n"),
    ])
    func hostileInputIsATypedError(name: String, text: String) throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        #expect(throws: ManifestError.self, "\(name)") { try loader.parse(Data(text.utf8), fileURL: Self.fileURL) }
    }

    @Test func invalidUTF8IsATypedError() throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        let error = #expect(throws: ManifestError.self) { try loader.parse(Data([0x74, 0xFF, 0xFE, 0x3A]), fileURL: Self.fileURL) }
        #expect(error?.description == "/fuzz/fuzz.manifest: cannot read manifest: not valid UTF-8 text")
    }
}
