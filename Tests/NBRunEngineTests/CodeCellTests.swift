import Foundation
@testable import NBRun
@testable import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("Code cells bring library code, as compiled, into the report")
struct CodeCellTests {
    static let manifest = """
        title: "Code"
        cells:
          - prose: "How the axis is chosen:"
          - code: Figures/AxisScale.swift#AxisScale
          - code: DemoNotebook/DemoArtifacts.swift
          - stage: generate
            kind: demo.generate
        """

    @Test func aDeclarationOrAFileIsShownInBothReports() throws {
        let notebook = try TestNotebook(Self.manifest)
        let manifest = try notebook.load()
        let codes = manifest.cells.compactMap { if case .code(let cell) = $0 { cell } else { nil } }
        #expect(codes.count == 2)
        let axis = try #require(codes.first)
        #expect(axis.text.hasPrefix("/// A linear axis"), "the doc comment comes with the declaration")
        #expect(axis.text.contains("struct AxisScale: Equatable {"))
        #expect(axis.text.hasSuffix("}"))
        #expect(!axis.text.contains("import Foundation"), "only the declaration")
        #expect(codes[1].text.contains("static let numbers = Artifact<IntegerList>(\"numbers.txt\")"))
        #expect(axis.location.line == 4 && axis.location.column == 11)

        let result = try notebook.run()
        #expect(result.exitCode == 0)
        let markdown = try String(contentsOf: notebook.output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("```swift\n/// A linear axis"))
        #expect(markdown.contains("_Code `Figures/AxisScale.swift#AxisScale` as compiled · `\(axis.fingerprint.prefix(12))`_"))
        let html = try String(contentsOf: notebook.output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<figure class=\"code-include\">"))
        #expect(html.contains("<code>Figures/AxisScale.swift#AxisScale</code>"))
    }

    /// The cell's fingerprint follows the code's tokens, not its comments.
    @Test func theFingerprintIsTheCodes() {
        let location = ManifestLocation(file: "m", line: 1, column: 1)
        let base = CodeCell(reference: "A/B.swift#f", text: "func f() { 1 + 2 }", location: location)
        var commented = base, edited = base
        commented.text = "// note\nfunc f() {  1 + 2 }"
        edited.text = "func f() { 1 + 3 }"
        #expect(base.fingerprint == commented.fingerprint)
        #expect(base.fingerprint != edited.fingerprint)
    }

    @Test func unknownCodeIsRefusedWithItsPlace() throws {
        for (reference, reason) in [
            ("Figures/AxisScale.swift#nothing", "declares nothing named 'nothing'"),
            ("Nope/X.swift", "no module 'Nope'"),
            ("Figures/Nope.swift", "module Figures has no file Nope.swift"),
            ("AxisScale", "write it as Module/File.swift"),
        ] {
            let notebook = try TestNotebook("title: x\ncells:\n  - code: \"\(reference)\"\n")
            do {
                _ = try notebook.load()
                Issue.record("\(reference) loaded")
            } catch let error as RunError {
                #expect(error.description.contains(":3:11: code '\(reference)' not found"), "\(error)")
                #expect(error.description.contains(reason), "\(error)")
            } catch let error as ManifestError {
                #expect(error.description.contains(":3:11: code '\(reference)' not found"), "\(error)")
                #expect(error.description.contains(reason), "\(error)")
            }
        }
    }

    @Test func declarationsAreCutAtTheirClosingBrace() {
        let source = """
            /// Adds.
            @inlinable
            func add(_ a: Int) -> Int {
                let text = "}{"  // a brace } in a comment
                return a + 1
            }
            let after = 1
            """
        #expect(CodeExcerpt.declaration("add", in: source) == """
            /// Adds.
            @inlinable
            func add(_ a: Int) -> Int {
                let text = "}{"  // a brace } in a comment
                return a + 1
            }
            """)
        #expect(CodeExcerpt.declaration("after", in: source) == "let after = 1")
        #expect(CodeExcerpt.declaration("missing", in: source) == nil)
    }
}
