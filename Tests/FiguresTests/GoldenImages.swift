import Foundation
import Testing

@testable import Figures

/// Reference PNGs in `Tests/FiguresTests/Golden/`, compared with a stated per-pixel tolerance.
///
/// The tolerance: a pixel matches when each of its channels is within
/// ``channelTolerance`` levels of the reference's; at most ``mismatchAllowance`` of the
/// pixels may fail that (FreeType releases differ slightly in how they anti-alias glyph
/// edges; a misplaced line, bar or label fails thousands of pixels). Rewrite the
/// references with `NBRUN_UPDATE_GOLDENS=1` after a deliberate change, and look at them.
enum GoldenImages {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let channelTolerance = 8
    static let mismatchAllowance = 0.002

    struct Comparison {
        var mismatched: Int
        var total: Int
        var largestDifference: Int
        var fraction: Double { Double(mismatched) / Double(max(1, total)) }
        var matches: Bool { fraction <= GoldenImages.mismatchAllowance }
    }

    static func compare(_ image: Bitmap, _ reference: Bitmap, tolerance: Int = channelTolerance) -> Comparison? {
        guard image.width == reference.width, image.height == reference.height, image.format == reference.format else {
            return nil
        }
        var mismatched = 0, largest = 0
        let channels = image.format.channels
        image.pixels.withUnsafeBufferPointer { a in
            reference.pixels.withUnsafeBufferPointer { b in
                for pixel in 0..<(image.width * image.height) {
                    var worst = 0
                    for channel in 0..<channels {
                        worst = max(worst, abs(Int(a[pixel * channels + channel]) - Int(b[pixel * channels + channel])))
                    }
                    largest = max(largest, worst)
                    if worst > tolerance { mismatched += 1 }
                }
            }
        }
        return Comparison(mismatched: mismatched, total: image.width * image.height, largestDifference: largest)
    }

    /// Checks `chart`'s 2× PNG, as written to a file and read back, against `Golden/name.png`.
    static func check(_ chart: Chart, name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let png = try chart.drawing().pngData()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data(png).write(to: scratch)
        let image = try PNGReader.read(from: scratch, as: .rgb8)
        let referenceURL = folder.appendingPathComponent("\(name).png")
        if ProcessInfo.processInfo.environment["NBRUN_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(png).write(to: referenceURL)
            return
        }
        guard FileManager.default.fileExists(atPath: referenceURL.path) else {
            Issue.record("no reference image \(referenceURL.path); write it with NBRUN_UPDATE_GOLDENS=1 and look at it",
                         sourceLocation: sourceLocation)
            return
        }
        let reference = try PNGReader.read(from: referenceURL, as: .rgb8)
        guard let comparison = compare(image, reference) else {
            Issue.record("\(name): \(image.width)×\(image.height), reference \(reference.width)×\(reference.height)",
                         sourceLocation: sourceLocation)
            return
        }
        #expect(comparison.matches,
                "\(name): \(comparison.mismatched) of \(comparison.total) pixels differ by more than \(channelTolerance) levels (largest \(comparison.largestDifference))",
                sourceLocation: sourceLocation)
    }
}
