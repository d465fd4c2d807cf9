import DemoNotebook
import Foundation
@testable import NBRun
@testable import NBRunEngine
import SeededRandom
import Testing

/// Generated manifests whose answer is known in advance: nesting of a known depth in every
/// YAML style (with brackets hidden in quotes and comments, anchors and aliases, large
/// scalars), and stage graphs of every shape up to the stage cap (chains, cycles, wide
/// fan-in, reads of later, unknown or the same stage). Each input must give exactly the
/// expected outcome, never a crash. `NBRUN_FUZZ_ITERATIONS` (default 2000) scales both;
/// `NBRUN_FUZZ_SEED` replays a run.
@Suite("Manifest shape fuzzing: nesting depth, size and stage graphs")
struct ManifestShapeFuzzTests {
    static let fileURL = URL(fileURLWithPath: "/fuzz/shape.manifest")
    static var iterations: Int { Int(ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"] ?? "") ?? 2000 }
    static var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["NBRUN_FUZZ_SEED"] ?? "") ?? 20_261_126 }

    // MARK: Nesting

    /// A YAML value with the height (levels of collections) Yams would compose from it,
    /// kept with each node so that rendering stays linear in the size.
    indirect enum Value {
        case scalar(String)
        case sequence([Value], anchor: String?, height: Int)
        case mapping([(String, Value)], anchor: String?, height: Int)
        case alias(String, height: Int)

        var height: Int {
            switch self {
            case .scalar: 0
            case .alias(_, let height), .sequence(_, _, let height), .mapping(_, _, let height): height
            }
        }
    }

    /// Scalars that look like nesting but are not: quoted brackets, and plain text.
    static let decoys = ["\"]]]]\"", "'[[{{'", "\"[0, 1)\"", "'}{'", "plain", "\"a\\\"]\"", "'it''s ]'", "42", "~", "\"\""]

    struct NestingGenerator {
        var random: SplitMix64
        var anchors: [(name: String, height: Int)] = []
        var nextAnchor = 0

        /// A value exactly `height` levels high.
        mutating func value(height: Int) -> Value {
            if height == 0 {
                if !anchors.isEmpty, Int.random(in: 0..<20, using: &random) == 0 {
                    let zero = anchors.filter { $0.height == 0 }
                    if let pick = zero.randomElement(using: &random) { return .alias(pick.name, height: 0) }
                }
                return .scalar(ManifestShapeFuzzTests.decoys.randomElement(using: &random)!)
            }
            // Sometimes reuse an anchored collection of exactly this height.
            if Int.random(in: 0..<8, using: &random) == 0,
               let pick = anchors.filter({ $0.height == height }).randomElement(using: &random) {
                return .alias(pick.name, height: height)
            }
            let width = Int.random(in: 1...3, using: &random)
            let tall = Int.random(in: 0..<width, using: &random)
            var children: [Value] = []
            for index in 0..<width {
                // Side branches stay low, so the text grows linearly with the height.
                children.append(value(height: index == tall ? height - 1 : Int.random(in: 0...min(1, height - 1), using: &random)))
            }
            var anchor: String?
            if Int.random(in: 0..<6, using: &random) == 0 {
                anchor = "a\(nextAnchor)"
                nextAnchor += 1
            }
            let result: Value = Bool.random(using: &random)
                ? .sequence(children, anchor: anchor, height: height)
                : .mapping(children.enumerated().map { ("k\($0.offset)", $0.element) }, anchor: anchor, height: height)
            if let anchor { anchors.append((anchor, height)) }
            return result
        }
    }

    /// Flow style: brackets and braces on one line.
    static func flow(_ value: Value, into text: inout String) {
        switch value {
        case .scalar(let scalar): text += scalar
        case .alias(let name, _): text += "*" + name
        case .sequence(let items, let anchor, _):
            if let anchor { text += "&" + anchor + " " }
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += ", " }
                flow(item, into: &text)
            }
            text += "]"
        case .mapping(let pairs, let anchor, _):
            if let anchor { text += "&" + anchor + " " }
            text += "{"
            for (index, pair) in pairs.enumerated() {
                text += (index > 0 ? ", " : "") + pair.0 + ": "
                flow(pair.1, into: &text)
            }
            text += "}"
        }
    }

    /// Block style, switching to flow at `flowBelow` levels of remaining height or less;
    /// comments full of brackets follow sequence entries.
    static func block(_ value: Value, indent: Int, flowBelow: Int, into text: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .sequence(let items, let anchor, let height) where height > flowBelow:
            if let anchor { text += " &" + anchor }
            for item in items {
                text += "\n" + pad + "-"
                block(item, indent: indent + 2, flowBelow: flowBelow, into: &text)
                text += " # ]]]]"
            }
        case .mapping(let pairs, let anchor, let height) where height > flowBelow:
            if let anchor { text += " &" + anchor }
            for pair in pairs {
                text += "\n" + pad + pair.0 + ":"
                block(pair.1, indent: indent + 2, flowBelow: flowBelow, into: &text)
            }
        default:
            text += " "
            flow(value, into: &text)
        }
    }

    @Test func nestingOfKnownDepthGivesExactlyTheExpectedOutcome() throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        var random = SplitMix64(seed: Self.seed)
        let limit = ManifestLoader.maximumNesting
        var refused = 0, accepted = 0
        let start = Date()
        for iteration in 0..<Self.iterations {
            // Heights cluster around the limit, with some far beyond it.
            let height = Int.random(in: 0..<10, using: &random) == 0
                ? Int.random(in: 0...3000, using: &random) : Int.random(in: (limit - 12)...(limit + 4), using: &random)
            var generator = NestingGenerator(random: random)
            let value = generator.value(height: height)
            random = generator.random
            var text = "title: fuzz\ncells: []\nx:"
            // Block style for up to 60 levels (its indentation makes deep block text large),
            // flow style below that; block nesting beyond the limit has its own tests.
            let flowBelow = Bool.random(using: &random) ? height : Int.random(in: max(0, height - 60)...height, using: &random)
            Self.block(value, indent: 2, flowBelow: flowBelow, into: &text)
            text += "\n"
            // Sometimes a large scalar, so that size varies up to hundreds of kilobytes.
            if Int.random(in: 0..<100, using: &random) == 0 {
                text += "big: \"" + String(repeating: "[0, 1) ", count: Int.random(in: 1...40_000, using: &random)) + "\"\n"
            }
            let depth = 1 + value.height
            do {
                _ = try loader.parse(Data(text.utf8), fileURL: Self.fileURL)
                Issue.record("iteration \(iteration) (seed \(Self.seed)): loaded although key x is unknown")
            } catch {
                switch error {
                case .nestedTooDeeply(_, let found, _):
                    // An alias can take the depth past the limit by more than one level at once.
                    #expect(depth > limit && found > limit && found <= depth,
                            "iteration \(iteration) (seed \(Self.seed)): depth \(depth) refused as \(found)")
                    refused += 1
                case .unknownKey(_, "x", _):
                    #expect(depth <= limit, "iteration \(iteration) (seed \(Self.seed)): depth \(depth) was not refused")
                    accepted += 1
                default:
                    Issue.record("iteration \(iteration) (seed \(Self.seed)): depth \(depth): unexpected \(error)\n\(text.prefix(2000))")
                }
            }
        }
        print("manifest nesting fuzz: \(Self.iterations) inputs (seed \(Self.seed)), \(refused) too deep, \(accepted) within the limit, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(refused > 0 && accepted > 0)
    }

    @Test func oversizedManifestsAreRefusedBeforeParsing() throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        let huge = Data(("title: x\ncells: []\n# " + String(repeating: "[", count: ManifestLoader.maximumSize)).utf8)
        let error = #expect(throws: ManifestError.self) { try loader.parse(huge, fileURL: Self.fileURL) }
        #expect(error?.description.contains("larger than 4194304 bytes") == true)
    }

    // MARK: Stage graphs

    enum Expected: Equatable {
        case loads
        case tooManyStages
        case cycle(reader: String)
        case unknown(reader: String, read: String)
        case later(reader: String, read: String)
    }

    /// What the loader must say about stages with these reads, worked out independently:
    /// the first stage (in manifest order) with a bad read decides, as in the loader.
    static func expectedOutcome(_ reads: [[Int]], names: (Int) -> String) -> Expected {
        if reads.count > ManifestLoader.maximumStages { return .tooManyStages }
        for (stage, stageReads) in reads.enumerated() {
            for read in stageReads {
                if read == stage { return .cycle(reader: names(stage)) }
                if read < 0 || read >= reads.count { return .unknown(reader: names(stage), read: names(read)) }
                if read > stage {
                    // A cycle if `read` reaches `stage` through reads; breadth-first here.
                    var seen: Set<Int> = [read], queue = [read], reaches = false
                    while !queue.isEmpty, !reaches {
                        let node = queue.removeFirst()
                        for next in reads[node] where next >= 0 && next < reads.count {
                            if next == stage { reaches = true; break }
                            if seen.insert(next).inserted { queue.append(next) }
                        }
                    }
                    return reaches ? .cycle(reader: names(stage)) : .later(reader: names(stage), read: names(read))
                }
            }
        }
        return .loads
    }

    @Test func stageGraphsOfEveryShapeGiveExactlyTheExpectedOutcome() throws {
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]), checksPathsExist: false)
        var random = SplitMix64(seed: Self.seed ^ 0x5747)
        var outcomes: [String: Int] = [:]
        let start = Date()
        let names = { (index: Int) in index >= 0 ? "s\(index)" : "missing\(-index)" }
        for iteration in 0..<Self.iterations {
            // Mostly small graphs; some at or just over the cap.
            let count: Int = switch Int.random(in: 0..<400, using: &random) {
            case 0...2: Int.random(in: (ManifestLoader.maximumStages - 2)...(ManifestLoader.maximumStages + 2), using: &random)
            case 3...20: Int.random(in: 30...300, using: &random)
            default: Int.random(in: 1...30, using: &random)
            }
            let shape = Int.random(in: 0..<4, using: &random)
            var reads: [[Int]] = []
            for stage in 0..<count {
                var stageReads: [Int]
                switch shape {
                case 0: stageReads = stage > 0 ? [stage - 1] : []  // a chain
                case 1: stageReads = stage == count - 1 ? Array(0..<stage) : []  // wide fan-in
                case 2: stageReads = stage > 0 ? [Int.random(in: 0..<stage, using: &random)] : []  // a random tree
                default:  // a random DAG
                    stageReads = stage > 0 ? (0..<Int.random(in: 0...min(stage, 4), using: &random)).map { _ in
                        Int.random(in: 0..<stage, using: &random)
                    } : []
                }
                reads.append(stageReads)
            }
            // Break it sometimes: a read of a later stage (a cycle if that one reaches back),
            // of itself, or of no stage at all.
            if count > 0, Int.random(in: 0..<3, using: &random) == 0 {
                let stage = Int.random(in: 0..<count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: reads[stage].append(stage)
                case 1: reads[stage].append(-Int.random(in: 1...3, using: &random))
                default:
                    let later = Int.random(in: stage..<count, using: &random)
                    reads[stage].append(later)
                    if later > stage, Bool.random(using: &random) { reads[later].append(stage) }
                }
            }
            var text = "title: graph\ncells:\n"
            for (stage, stageReads) in reads.enumerated() {
                text += "- {stage: s\(stage), kind: demo.generate, reads: [\(stageReads.map(names).joined(separator: ", "))]}\n"
            }
            let expected = Self.expectedOutcome(reads, names: names)
            let found: Expected
            do {
                let manifest = try loader.parse(Data(text.utf8), fileURL: Self.fileURL)
                #expect(manifest.stages.map { $0.reads } == reads.map { $0.map(names) })
                found = .loads
            } catch {
                switch error {
                case .tooManyStages: found = .tooManyStages
                case .dependencyCycle(_, let path):
                    found = .cycle(reader: path[0])
                    #expect(path.first == path.last, "a cycle's path returns to where it starts: \(path)")
                case .readsUnknownStage(_, let read, let reader, _): found = .unknown(reader: reader, read: read)
                case .readsLaterStage(_, let read, let reader): found = .later(reader: reader, read: read)
                default:
                    Issue.record("iteration \(iteration) (seed \(Self.seed)): unexpected \(error)")
                    continue
                }
            }
            #expect(found == expected, "iteration \(iteration) (seed \(Self.seed)): \(count) stages, shape \(shape)")
            outcomes["\(found)".prefix { $0 != "(" }.description, default: 0] += 1
        }
        print("stage graph fuzz: \(Self.iterations) inputs (seed \(Self.seed)), \(outcomes.sorted { $0.key < $1.key }), \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(outcomes.count == 5, "every outcome is reached: \(outcomes)")
    }
}
