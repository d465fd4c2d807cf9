import Foundation
import SafeText

/// A label as figures set it: runs of text, each on the baseline or raised or lowered
/// as a superscript or subscript.
///
/// Authors write `x_{t}` and `e^{-x}`: only the braced forms are markup, so that names
/// such as `hidden_size` print as written. Unicode's own sub- and superscript characters
/// (`xₜ`, `10⁻³`) and any other character the font has (Greek, `∂`, `‖`) are plain text.
/// Control characters and bidirectional overrides are shown as visible escapes, by the
/// same rule the reports use, so a hostile label can neither hide text nor reorder it.
struct StyledText: Sendable, Hashable {
    enum Shift: Sendable, Hashable { case none, subscripted, superscripted }

    struct Run: Sendable, Hashable {
        var text: String
        var shift: Shift
    }

    var runs: [Run]

    /// Sub- and superscripts are set this much smaller, and moved this far (in ems of the
    /// label's size) below or above the baseline.
    static let scriptScale = 0.7
    static let subscriptDrop = 0.18
    static let superscriptRise = 0.36
    /// Longest label kept at all: beyond it nothing more could be shown in a figure.
    static let maximumLength = 2_000

    init(runs: [Run]) { self.runs = runs.filter { !$0.text.isEmpty } }

    init(_ label: String) {
        var source = label
        if source.unicodeScalars.count > Self.maximumLength {
            source = String(String.UnicodeScalarView(source.unicodeScalars.prefix(Self.maximumLength))) + "…"
        }
        let safe = ControlCharacters.escaped(source, allowingNewlines: false)
        var runs: [Run] = []
        var current = ""
        var scalars = Array(safe.unicodeScalars)[...]
        while let scalar = scalars.first {
            if scalar == "_" || scalar == "^", scalars.dropFirst().first == "{",
               let close = scalars.dropFirst(2).firstIndex(of: "}") {
                if !current.isEmpty { runs.append(Run(text: current, shift: .none)) }
                current = ""
                let inner = String(String.UnicodeScalarView(scalars[(scalars.startIndex + 2)..<close]))
                runs.append(Run(text: inner, shift: scalar == "_" ? .subscripted : .superscripted))
                scalars = scalars[(close + 1)...]
            } else {
                current.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst()
            }
        }
        if !current.isEmpty { runs.append(Run(text: current, shift: .none)) }
        self.init(runs: runs)
    }

    var isEmpty: Bool { runs.isEmpty }

    /// The characters without markup, for alt text and tests.
    var plain: String { runs.map(\.text).joined() }

    static func scale(_ shift: Shift) -> Double { shift == .none ? 1 : scriptScale }

    /// How far a run's baseline sits above the label's, in ems (negative is below).
    static func rise(_ shift: Shift) -> Double {
        switch shift {
        case .none: 0
        case .subscripted: -subscriptDrop
        case .superscripted: superscriptRise
        }
    }

    /// The width in CSS pixels at font `size`.
    func width(size: Double, weight: FontWeight = .regular) -> Double {
        guard let face = try? FontFace.face(weight) else { return 0 }
        var total = 0.0
        for run in runs {
            let runSize = size * Self.scale(run.shift)
            var previous: Unicode.Scalar?
            for scalar in run.text.unicodeScalars {
                if let previous { total += face.kerning(previous, scalar) * runSize }
                total += face.advance(scalar) * runSize
                previous = scalar
            }
        }
        return total
    }

    /// The label cut to fit `width` with an ellipsis; unchanged when it fits.
    func truncated(toWidth width: Double, size: Double, weight: FontWeight = .regular) -> StyledText {
        guard self.width(size: size, weight: weight) > width else { return self }
        let ellipsis = StyledText(runs: [Run(text: "…", shift: .none)])
        let budget = width - ellipsis.width(size: size, weight: weight)
        guard budget > 0, let face = try? FontFace.face(weight) else { return budget > 0 ? self : ellipsis }
        var kept: [Run] = []
        var used = 0.0
        outer: for run in runs {
            var text = String.UnicodeScalarView()
            let runSize = size * Self.scale(run.shift)
            for scalar in run.text.unicodeScalars {
                let advance = face.advance(scalar) * runSize
                if used + advance > budget {
                    kept.append(Run(text: String(text), shift: run.shift))
                    break outer
                }
                used += advance
                text.append(scalar)
            }
            kept.append(Run(text: String(text), shift: run.shift))
        }
        return StyledText(runs: kept + ellipsis.runs)
    }

    /// The label broken at spaces into lines no wider than `width`, at most `maxLines`
    /// (the last one truncated with an ellipsis if text remains). A word longer than a
    /// whole line is truncated too, so nothing overhangs.
    func wrapped(toWidth width: Double, size: Double, weight: FontWeight = .regular, maxLines: Int) -> [StyledText] {
        guard self.width(size: size, weight: weight) > width, maxLines > 1 else {
            return [truncated(toWidth: width, size: size, weight: weight)]
        }
        // Words keep their runs, so a subscript stays with its word.
        var words: [[Run]] = [[]]
        for run in runs {
            let pieces = run.text.split(separator: " ", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index > 0 { words.append([]) }
                if !piece.isEmpty { words[words.count - 1].append(Run(text: String(piece), shift: run.shift)) }
            }
        }
        words = words.filter { !$0.isEmpty }
        var lines: [StyledText] = []
        var line: [Run] = []
        var index = 0
        while index < words.count {
            let startsLine = line.isEmpty
            let candidate = startsLine ? words[index] : line + [Run(text: " ", shift: .none)] + words[index]
            let fits = StyledText(runs: candidate).width(size: size, weight: weight) <= width
            if fits {
                line = candidate
                index += 1
            } else if startsLine {
                // A single word wider than the line.
                lines.append(StyledText(runs: candidate).truncated(toWidth: width, size: size, weight: weight))
                index += 1
            } else {
                lines.append(StyledText(runs: line))
                line = []
            }
            if lines.count == maxLines { break }
        }
        if !line.isEmpty && lines.count < maxLines { lines.append(StyledText(runs: line)) }
        if index < words.count || lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            let rest = words[index...].flatMap { [Run(text: " ", shift: .none)] + $0 }
            let last = StyledText(runs: lines[lines.count - 1].runs + rest + [Run(text: " …", shift: .none)])
            lines[lines.count - 1] = last.truncated(toWidth: width, size: size, weight: weight)
        }
        return lines
    }
}
