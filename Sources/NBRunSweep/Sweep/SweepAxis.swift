import Foundation
import NBRunEngine

/// One `--sweep stage.parameter=v1,v2,…`: a parameter and the values a sweep gives it.
/// Repeated axes form a grid.
public struct SweepAxis: Sendable, Hashable, CustomStringConvertible {
    public var stage: String
    public var parameter: String
    public var values: [String]

    public init(stage: String, parameter: String, values: [String]) {
        self.stage = stage
        self.parameter = parameter
        self.values = values
    }

    /// Parses `stage.parameter=v1,v2,…`. Values are separated by commas, or by semicolons
    /// when the text holds one or starts with `[`, so that each value can be a list:
    /// `remembering.delays=[0,10];[20,40]` sweeps two lists (`0,10;20,40` says the same,
    /// and `[0,10]` alone is one list). At least one value, none empty, none repeated (a
    /// repeated value would run the same variant twice).
    public init(parsing text: String) throws(SweepError) {
        let override: ParameterOverride
        do { override = try ParameterOverride(parsing: text) } catch {
            throw .invalidAxis(text, reason: "expected STAGE.PARAMETER=V1,V2,… (or [LIST];[LIST];… for a list parameter)")
        }
        let separator: Character = Self.separatesBySemicolons(override.value) ? ";" : ","
        let values = override.value.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        if values.contains(where: \.isEmpty) { throw .invalidAxis(text, reason: "a value is empty") }
        if let repeated = values.first(where: { value in values.filter { $0 == value }.count > 1 }) {
            throw .invalidAxis(text, reason: "value '\(repeated)' appears twice")
        }
        self.init(stage: override.stage, parameter: override.parameter, values: values)
    }

    static func separatesBySemicolons(_ text: String) -> Bool {
        text.contains(";") || text.trimmingCharacters(in: .whitespaces).hasPrefix("[")
    }

    /// `train.epochs`
    public var key: String { "\(stage).\(parameter)" }

    public var description: String {
        let listValued = values.contains { $0.contains(",") || $0.hasPrefix("[") }
        return "\(key)=\(values.joined(separator: listValued ? ";" : ","))"
    }
}
