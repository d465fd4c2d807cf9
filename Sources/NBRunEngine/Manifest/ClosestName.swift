/// The "did you mean …?" of a misspelt name: the known name fewest single-character edits
/// away (insertions, deletions, substitutions, swaps of neighbours), if it is close enough
/// to be a slip rather than another word.
enum ClosestName {
    /// The closest of `candidates` to `name`, or nil when none is within a third of the
    /// name's length (at least one edit). Ties go to the earlier candidate.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        let limit = max(1, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(Array(name.lowercased()), Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// What follows a "no such name" message: `; did you mean 'x'? (label: a, b)` when one
    /// candidate is close, else `; label: a, b`. `list` is how the candidates read when
    /// there are none.
    static func hint(for name: String, among candidates: [String], label: String, none: String? = nil) -> String {
        let list = candidates.isEmpty ? (none ?? "(none)") : candidates.joined(separator: ", ")
        guard let closest = suggestion(for: name, among: candidates) else { return "; \(label): \(list)" }
        return "; did you mean '\(closest)'? (\(label): \(list))"
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one
    /// substring), in two rows of memory plus the one before.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
