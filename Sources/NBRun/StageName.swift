/// How a stage's name follows from its type, so that the name is said once: the type's
/// name in kebab case without a trailing `Stage` (`TrainStage` → `train`, `BuildModelStage`
/// → `build-model`, `LSTMCellStage` → `lstm-cell`). A stage whose name must differ from its
/// type's declares `static let name = "…"`.
public enum StageName {
    public static func derived(fromTypeName typeName: String) -> String {
        let base = typeName.hasSuffix("Stage") && typeName != "Stage" ? String(typeName.dropLast(5)) : typeName
        let characters = Array(base)
        var name = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // A word starts at an upper-case letter after a lower-case one or a digit, and at
                // the last capital of a run followed by a lower-case letter (`LSTMCell`).
                let startsWord = previous.isLowercase || previous.isNumber
                    || (previous.isUppercase && next?.isLowercase == true)
                if startsWord, name.last != "-" { name += "-" }
            }
            if character == "_" {
                if !name.isEmpty, name.last != "-" { name += "-" }
                continue
            }
            name += character.lowercased()
        }
        return name
    }
}

extension Stage {
    /// The name derived from the type (``StageName/derived(fromTypeName:)``).
    public static var name: String { StageName.derived(fromTypeName: String(describing: Self.self)) }
}
