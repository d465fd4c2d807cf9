import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunReport
import NBRunSweep
import Testing

/// A size written `640x480`: a type with its own syntax, to show that the protocol is open.
struct Resolution: ParameterValueType, Equatable {
    var width: Int
    var height: Int

    static var parameterKind: ParameterKind {
        .custom(CustomParameterKind(name: "resolution such as 640x480") { text in
            let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return .failure(.wrongType) }
            guard width > 0, height > 0 else { return .failure(.invalid("both sides must be positive")) }
            return .success(.string("\(width)x\(height)"))
        })
    }
    var parameterValue: ParameterValue { .string("\(width)x\(height)") }
    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    init?(parameterValue: ParameterValue, baseDirectory: URL) {
        guard case .string(let text) = parameterValue else { return nil }
        let parts = text.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        self.init(width: width, height: height)
    }
}

enum Cell: String, CaseIterable, ParameterValueType {
    case lstm, gru, rnn
}

struct Everything: Stage {
    static let summary = "Declares a list, an enum, optionals and a custom type."

    @Parameter(help: "Delays.", range: 0...500) var delays = [0, 10]
    @Parameter(help: "Labels.") var labels = ["a", "b"]
    @Parameter(help: "The cell.") var cell = Cell.lstm
    @Parameter(help: "Cells to compare.") var cells: [Cell] = [.gru]
    @Parameter(help: "An optional count.") var limit: Int? = nil
    @Parameter(help: "An optional cell with a default.") var fallback: Cell? = .rnn
    @Parameter(help: "The picture's size.") var size = Resolution(width: 64, height: 48)
    @Parameter(help: "An optional bounded count.", range: 1...9) var bounded: Int? = nil
    @Parameter(help: "Rates.", range: 0...1) var rates = [0.5]

    func run(_ context: StageContext) throws {}
}

struct EverythingPlugin: StagePlugin {
    let name = "open"
    var stages: [EmbeddedStage] { [EmbeddedStage(type: Everything.self, fileName: "Everything.swift", source: "struct Everything {}")] }
    var libraryCode: LibraryCode { LibraryCode() }
}

@Suite("Parameters of any type: lists, enums, optionals and types with their own syntax")
struct OpenParameterTests {
    static let file = URL(fileURLWithPath: "/notebooks/open/Open.manifest")

    func load(_ parameters: String = "", overrides: [String] = []) throws -> StageCell {
        let text = "title: t\ncells:\n  - stage: e\n    kind: open.everything\n" + (parameters.isEmpty ? "" : "    parameters:\n" + parameters)
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [EverythingPlugin()]), checksPathsExist: false)
        let manifest = try loader.parse(Data(text.utf8), fileURL: Self.file,
                                        overrides: overrides.map { try ParameterOverride(parsing: $0) })
        return try #require(manifest.stages.first)
    }

    func failure(_ parameters: String = "", overrides: [String] = []) -> String {
        do {
            let stage = try load(parameters, overrides: overrides)
            Issue.record("accepted: \(stage.parameters)")
            return ""
        } catch { return "\(error)" }
    }

    @Test func declarationsDescribeEachType() {
        let specs = Everything.parameters
        #expect(specs.map(\.name) == ["delays", "labels", "cell", "cells", "limit", "fallback", "size", "bounded", "rates"])
        #expect(specs.map(\.kind.displayName) == [
            "list of integer in 0...500", "list of string", "one of lstm, gru, rnn", "list, each one of lstm, gru, rnn",
            "integer", "one of lstm, gru, rnn", "resolution such as 640x480", "integer in 1...9", "list of number in 0.0...1.0",
        ])
        #expect(specs.map(\.defaultValue) == [.list([.integer(0), .integer(10)]), .list([.string("a"), .string("b")]),
                                              .string("lstm"), .list([.string("gru")]), .none, .string("rnn"), .string("64x48"), .none, .list([.number(0.5)])])
        #expect(specs.map(\.isOptional) == [false, false, false, false, true, true, false, true, false])
    }

    @Test func manifestListsAndCommandLineListsGiveTheSameValue() throws {
        let yaml = try load("      delays: [40, 0, 20]\n      labels:\n        - x, y\n        - z\n      cells: [rnn, lstm]\n")
        #expect(yaml.parameters["delays"] == .list([.integer(40), .integer(0), .integer(20)]))
        #expect(yaml.parameters["labels"] == .list([.string("x, y"), .string("z")]), "a YAML element keeps its commas")
        #expect(yaml.parameters["cells"] == .list([.string("rnn"), .string("lstm")]))
        #expect(yaml.manifestParameters == ["delays", "labels", "cells"])
        for text in ["40,0,20", "40, 0, 20", "[40, 0, 20]", " [40,0,20] "] {
            let set = try load(overrides: ["e.delays=\(text)"])
            #expect(set.parameters["delays"] == yaml.parameters["delays"], "\(text)")
            #expect(set.overriddenParameters == ["delays"])
        }
        #expect(try load(overrides: ["e.delays=[]"]).parameters["delays"] == .list([]))
        #expect(try load("      delays: []\n").parameters["delays"] == .list([]))
    }

    @Test func boundValuesAreTheSwiftTypes() throws {
        let stage = Everything()
        #expect(stage.delays == [0, 10] && stage.cell == .lstm && stage.limit == nil && stage.fallback == .rnn)
        let cell = try load("      cell: gru\n      limit: 7\n      fallback: none\n      size: 320X200\n",
                            overrides: ["e.cells=lstm,rnn", "e.delays=5"])
        stage.bindParameters(StageParameters(cell.parameters, baseDirectory: Self.file.deletingLastPathComponent()))
        #expect(stage.cell == .gru && stage.cells == [.lstm, .rnn] && stage.delays == [5])
        #expect(stage.limit == 7 && stage.fallback == nil)
        #expect(stage.size == Resolution(width: 320, height: 200), "the type's own reading, normalised")
        #expect(cell.parameters["size"]?.canonical == "str:320x200")
    }

    @Test func aWrongWordIsRefusedWithTheValidOnesAndTheClosest() {
        let yaml = failure("      cell: grue\n")
        #expect(yaml.hasPrefix("/notebooks/open/Open.manifest:6:13: "), "\(yaml)")
        #expect(yaml.contains("parameter 'e.cell' is 'grue', which is not one of its values; did you mean 'gru'?"), "\(yaml)")
        #expect(yaml.contains("valid: lstm, gru, rnn"), "\(yaml)")
        let set = failure(overrides: ["e.cell=LSTM2000"])
        #expect(set.hasPrefix("--set e.cell=LSTM2000: ") && set.contains("valid: lstm, gru, rnn") && !set.contains("did you mean"), "\(set)")
        let element = failure("      cells: [gru, lstn]\n")
        #expect(element.hasPrefix("/notebooks/open/Open.manifest:6:20: ") && element.contains("'lstn'")
                && element.contains("did you mean 'lstm'?"), "\(element)")
    }

    @Test func aWrongElementIsNamedWhereItIsWritten() {
        let yaml = failure("      delays:\n        - 0\n        - 501\n")
        #expect(yaml.hasPrefix("/notebooks/open/Open.manifest:8:11: ") && yaml.contains("= 501 is out of range 0...500"), "\(yaml)")
        let set = failure(overrides: ["e.delays=0,ten"])
        #expect(set == "--set e.delays=0,ten: parameter 'e.delays' expects integer in 0...500, found 'ten'", "\(set)")
        #expect(failure("      cell: [gru]\n").contains("expects one of lstm, gru, rnn, found 'a list'"))
        #expect(failure("      delays: [[1]]\n").contains("expects integer in 0...500, found 'a list'"))
        #expect(failure("      size: 0x4\n").contains("parameter 'e.size' = 0x4: both sides must be positive"))
        #expect(failure("      size: big\n").contains("expects resolution such as 640x480, found 'big'"))
        #expect(failure("      limit: [1]\n").contains("expects integer, found 'a list'"))
    }

    @Test func optionalsAreUnsetByTheNoneWordsOnly() throws {
        for word in ["none", "~", "null", ""] {
            #expect(try load(overrides: ["e.limit=\(word)"]).parameters["limit"] == ParameterValue.none, "\(word)")
            #expect(try load(overrides: ["e.fallback=\(word)"]).parameters["fallback"] == ParameterValue.none, "\(word)")
        }
        #expect(failure(overrides: ["e.cell=none"]).contains("valid: lstm, gru, rnn"), "a required enum cannot be unset")
        #expect(try load(overrides: ["e.bounded=none"]).parameters["bounded"] == ParameterValue.none)
        #expect(try load(overrides: ["e.bounded=9"]).parameters["bounded"] == .integer(9))
        #expect(failure(overrides: ["e.bounded=10"]).contains("= 10 is out of range 1...9"))
        #expect(failure("      rates: [0.5, 1.5]\n").contains("= 1.5 is out of range 0.0...1.0"))
    }

    /// Tags keep values of different types apart, and a list's elements are JSON-quoted so
    /// that a comma in a string cannot make two lists alike.
    @Test func canonicalFormsNeverCollide() {
        let values: [ParameterValue] = [
            .integer(1), .number(1), .string("1"), .boolean(true), .string("true"), .path("1"), .none, .string("none"),
            .list([]), .list([.integer(1)]), .list([.string("1")]), .list([.string("a,str:b")]),
            .list([.string("a"), .string("b")]), .list([.list([.integer(1)])]), .string("list:[\"int:1\"]"),
        ]
        #expect(Set(values.map(\.canonical)).count == values.count)
        // Every existing record holds these forms: changing one would make every cache stale.
        #expect(values.prefix(7).map(\.canonical) == ["int:1", "num:1.0", "str:1", "bool:true", "str:true", "path:1", "none"])
        #expect(ParameterValue.list([.integer(0), .string("a\"b/c")]).canonical == #"list:["int:0","str:a\"b/c"]"#)
        #expect(ParameterValue.displayText(ofCanonical: ParameterValue.list([.integer(0), .integer(10)]).canonical) == "[0, 10]")
        #expect(ParameterValue.list([.integer(0), .integer(10)]).description == "[0, 10]")
    }

    /// A record written when the parameter was a string of delays differs from the list in
    /// its type: `why` says so rather than showing two texts that read alike.
    @Test func aChangedTypeIsNamedInWhy() {
        let old = FingerprintComponents(kind: "k", code: "c", parameters: ["delays": "str:0, 10"], inputData: [:], upstream: [:])
        var new = old
        new.parameters["delays"] = ParameterValue.list([.integer(0), .integer(10)]).canonical
        let changes = old.changes(to: new)
        #expect(changes == [.parameterType(name: "delays", old: "0, 10", oldType: "string", new: "[0, 10]", newType: "list")])
        #expect(changes.first?.description
                == "parameter delays is now a list (was the string '0, 10', now [0, 10]): recorded before its type changed, so it runs once again")
        var same = old
        same.parameters["delays"] = "str:0, 20"
        #expect(old.changes(to: same) == [.parameter(name: "delays", old: "0, 10", new: "0, 20")])
    }

    @Test func sweptListsAreSeparatedBySemicolons() throws {
        #expect(try SweepAxis(parsing: "e.delays=[0,10];[20,40]").values == ["[0,10]", "[20,40]"])
        #expect(try SweepAxis(parsing: "e.delays=0,10;20,40").values == ["0,10", "20,40"])
        #expect(try SweepAxis(parsing: "e.delays=[0,10]").values == ["[0,10]"], "one list")
        #expect(try SweepAxis(parsing: "e.cell=lstm,gru,rnn").values == ["lstm", "gru", "rnn"])
        #expect(try SweepAxis(parsing: "e.delays=[0,10];[20,40]").description == "e.delays=[0,10];[20,40]")
        #expect(throws: SweepError.self) { try SweepAxis(parsing: "e.delays=[0];") }
        #expect(throws: SweepError.self) { try SweepAxis(parsing: "e.delays=[0];[0]") }
        // Each swept value is read as the parameter reads a `--set` value.
        for value in try SweepAxis(parsing: "e.delays=[0,10];[20,40]").values {
            #expect(try load(overrides: ["e.delays=\(value)"]).parameters["delays"] != nil)
        }
    }

    @Test func misspeltNamesGetTheClosestMatch() {
        #expect(ClosestName.suggestion(for: "lstm.trian", among: ["lstm.train", "lstm.test"]) == "lstm.train")
        #expect(ClosestName.suggestion(for: "hiden-size", among: ["hidden-size", "seed"]) == "hidden-size")
        #expect(ClosestName.suggestion(for: "epochs", among: ["seed", "weights"]) == nil, "too far to be a slip")
        #expect(ClosestName.suggestion(for: "GRU", among: ["lstm", "gru", "rnn"]) == "gru")
        #expect(ClosestName.editDistance(Array("ab"), Array("ba")) == 1)
        #expect(ClosestName.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(failure("      delay: [1]\n").contains("has no parameter 'delay'; did you mean 'delays'?"))
        #expect(failure(overrides: ["e.celss=gru"]).contains("has no parameter 'celss'; did you mean 'cells'?"))
        #expect(failure(overrides: ["f.cell=gru"]).contains("no stage named 'f'; did you mean 'e'?"))
        let reads = ManifestError.readsUnknownStage(ManifestLocation(file: "m", line: 3, column: 4), stage: "bild-model",
                                                    reader: "train", known: ["load-data", "build-model", "train"]).description
        #expect(reads == "m:3:4: stage 'train' reads from 'bild-model', which is not a stage of this manifest; did you mean 'build-model'?")
        let kind = ManifestError.unknownStageKind(ManifestLocation(file: "m", line: 1, column: 2), kind: "open.everythin",
                                                  known: ["open.everything", "demo.generate"]).description
        #expect(kind == "m:1:2: unknown stage kind 'open.everythin'; did you mean 'open.everything'?")
    }

    /// The report shows every parameter, in declaration order, with where its value came from.
    @Test func theReportListsEveryParameterWithItsSource() throws {
        let registry = try StageRegistry(plugins: [EverythingPlugin()])
        let stage = try load("      cell: gru\n      delays: [1, 2]\n", overrides: ["e.delays=3", "e.limit=4"])
        let shown = ReportStage.shownParameters(of: stage, registry: registry)
        #expect(shown.map(\.name) == ["delays", "labels", "cell", "cells", "limit", "fallback", "size", "bounded", "rates"])
        #expect(shown.map(\.value) == ["[3]", "[a, b]", "gru", "[gru]", "4", "rnn", "64x48", "none", "[0.5]"])
        #expect(shown.map(\.source) == [.commandLine, .declaredDefault, .manifest, .declaredDefault, .commandLine,
                                        .declaredDefault, .declaredDefault, .declaredDefault, .declaredDefault])
    }
}
