import Foundation
import NBRunEngine
@testable import NBRunReport
import Testing

@Suite("Figures declared once: one call writes the PNG and puts it in the report")
struct FigureOutputTests {
    static let chart = FigureOutput("chart.png")

    func context(_ folder: URL) -> StageContext {
        StageContext(
            stageName: "s", notebookDirectory: folder, parameters: StageParameters([:], baseDirectory: folder), threadCount: 1,
            stagingDirectory: folder, resumeDirectory: folder, upstream: [], console: .recording(), cancellation: CancellationFlag())
    }

    @Test func writingAFigureStoresItAndShowsIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-figure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = context(folder)
        var given: URL?
        try context.write(Self.chart, caption: "A chart") { url in
            given = url
            try Data("png".utf8).write(to: url)
        }
        #expect(given == folder.appendingPathComponent("chart.png"))
        #expect(context.figures == [StageFigure(name: "chart.png", caption: "A chart")])
        // Written again with another caption: still one figure, with the new caption.
        try context.write(Self.chart, caption: "Redrawn") { try Data("png2".utf8).write(to: $0) }
        #expect(context.figures == [StageFigure(name: "chart.png", caption: "Redrawn")])
    }

    @Test func aFigureThatCannotBeDrawnIsNotShown() throws {
        let folder = FileManager.default.temporaryDirectory
        let context = context(folder)
        struct DrawingFailed: Error {}
        #expect(throws: DrawingFailed.self) { try context.write(Self.chart, caption: "c") { _ in throw DrawingFailed() } }
        #expect(throws: StorageError.invalidArtifactName("../up.png")) {
            try context.write(FigureOutput("../up.png"), caption: "c") { _ in Issue.record("drawn under a bad name") }
        }
        #expect(context.figures.isEmpty)
    }
}
