import Foundation

/// The remembering experiment's delays, given as text ("0, 25, 50, 100") because a stage
/// parameter holds one value: parsed strictly, so a typo is an error and not a silently
/// shorter experiment.
enum DelayList {
    /// The largest delay accepted: 28 + 500 steps already costs 19× an undelayed epoch.
    static let maximum = 500

    static func parse(_ text: String, parameter: String) throws(ComparisonError) -> [Int] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !(items.count == 1 && items[0].isEmpty) else {
            throw .badDelayList(parameter: parameter, text: text, reason: "no delays given")
        }
        var delays: [Int] = []
        for item in items {
            guard let value = Int(item) else {
                throw .badDelayList(parameter: parameter, text: text,
                                    reason: item.isEmpty ? "an empty entry" : "'\(item)' is not a whole number")
            }
            guard (0...maximum).contains(value) else {
                throw .badDelayList(parameter: parameter, text: text, reason: "\(value) is outside 0...\(maximum)")
            }
            guard !delays.contains(value) else {
                throw .badDelayList(parameter: parameter, text: text, reason: "\(value) appears twice")
            }
            delays.append(value)
        }
        return delays.sorted()
    }
}
