import Foundation
import NBRun

/// The files the demo stages hand to each other.
enum DemoArtifacts {
    /// Written by `generate`, read by `square` and `histogram`.
    static let numbers = Artifact<IntegerList>("numbers.txt")
    /// Written by `square`, read by `summarize`.
    static let squares = Artifact<IntegerList>("squares.txt")
}

/// Integers, one per line: readable in the cache folder and in a diff.
struct IntegerList: ArtifactContent {
    var values: [Int]

    static func readArtifact(from url: URL) throws -> IntegerList {
        let text = try String(contentsOf: url, encoding: .utf8)
        var numbers: [Int] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            guard let value = Int(line) else {
                throw DemoStageError.malformedNumber(file: url.lastPathComponent, line: index + 1, text: String(line))
            }
            numbers.append(value)
        }
        return IntegerList(values: numbers)
    }

    func writeArtifact(to url: URL) throws {
        try Data(values.map(String.init).joined(separator: "\n").utf8).write(to: url)
    }
}
