import Foundation
import SafeText

/// Why a manifest was rejected. Every case names the place at fault; nothing runs
/// while a manifest has any of these.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformedYAML(ManifestLocation, problem: String)
    case expected(ManifestLocation, what: String, found: String)
    case unknownKey(ManifestLocation, key: String, allowed: [String])
    case missingKey(ManifestLocation, key: String, in: String)
    case duplicateKey(ManifestLocation, key: String)
    case unknownStageKind(ManifestLocation, kind: String, known: [String])
    case duplicateStageName(ManifestLocation, name: String, firstDeclaredAt: ManifestLocation)
    case invalidStageName(ManifestLocation, name: String)
    /// `known`: the manifest's stages, for the closest name.
    case readsUnknownStage(ManifestLocation, stage: String, reader: String, known: [String])
    case readsLaterStage(ManifestLocation, stage: String, reader: String)
    case dependencyCycle(ManifestLocation, path: [String])
    case unknownParameter(ManifestLocation, stage: String, parameter: String, declared: [String])
    case wrongParameterType(ManifestLocation, stage: String, parameter: String, expected: String, found: String)
    case parameterOutOfRange(ManifestLocation, stage: String, parameter: String, value: String, range: String)
    /// A word that is not one of a choice parameter's words (`valid`, in declaration order).
    case notAChoice(ManifestLocation, stage: String, parameter: String, found: String, valid: [String])
    /// A value a parameter type with its own syntax refused, for `reason`.
    case invalidParameterValue(ManifestLocation, stage: String, parameter: String, value: String, reason: String)
    /// `path` as written; `resolved` is the absolute path nbrun checked.
    case missingPath(ManifestLocation, stage: String, parameter: String, path: String, resolved: String)
    /// A path parameter given as nothing; `optional` when `none` would say "no file".
    case emptyPath(ManifestLocation, stage: String, parameter: String, optional: Bool)
    case invalidOverride(String, reason: String)
    case nestedTooDeeply(ManifestLocation, depth: Int, limit: Int)
    case tooManyStages(ManifestLocation, limit: Int)
    /// A `code:` cell names a module, file or declaration nbrun was not built with.
    case codeNotFound(ManifestLocation, reference: String, reason: String)

    /// Keys, names and values are quoted from the manifest: control characters in them are
    /// escaped, so the message is one line and cannot send escape sequences to the terminal.
    public var description: String { rawDescription.escapingControlCharacters() }

    private var rawDescription: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read manifest: \(reason)"
        case .malformedYAML(let at, let problem):
            return "\(at.prefix)malformed YAML: \(problem)"
        case .expected(let at, let what, let found):
            return "\(at.prefix)expected \(what), found \(found)"
        case .unknownKey(let at, let key, let allowed):
            return "\(at.prefix)unknown key '\(key)'; expected one of: \(allowed.joined(separator: ", "))"
        case .missingKey(let at, let key, let context):
            return "\(at.prefix)\(context) is missing the required key '\(key)'"
        case .duplicateKey(let at, let key):
            return "\(at.prefix)key '\(key)' appears more than once"
        case .unknownStageKind(let at, let kind, let known):
            if let closest = ClosestName.suggestion(for: kind, among: known) {
                return "\(at.prefix)unknown stage kind '\(kind)'; did you mean '\(closest)'?"
            }
            let list = known.isEmpty ? "(no stage kinds are registered)" : known.joined(separator: ", ")
            return "\(at.prefix)unknown stage kind '\(kind)'; known kinds: \(list)"
        case .duplicateStageName(let at, let name, let first):
            return "\(at.prefix)stage name '\(name)' is already used at \(first.line):\(first.column); stage names must be unique"
        case .invalidStageName(let at, let name):
            return "\(at.prefix)invalid stage name '\(name)'; use letters, digits, '-' and '_' (not starting with '.')"
        case .readsUnknownStage(let at, let stage, let reader, let known):
            return "\(at.prefix)stage '\(reader)' reads from '\(stage)', which is not a stage of this manifest"
                + (ClosestName.suggestion(for: stage, among: known).map { "; did you mean '\($0)'?" } ?? "")
        case .readsLaterStage(let at, let stage, let reader):
            return "\(at.prefix)stage '\(reader)' reads from '\(stage)', which comes later in the manifest; a stage may only read from stages listed before it"
        case .dependencyCycle(let at, let path):
            // A cycle through hundreds of stages is shown by its ends, not as one huge line.
            let shown = path.count <= 12 ? path.joined(separator: " -> ")
                : (path.prefix(6) + ["… (\(path.count - 10) more)"] + path.suffix(4)).joined(separator: " -> ")
            return "\(at.prefix)dependency cycle: \(shown)"
        case .unknownParameter(let at, let stage, let parameter, let declared):
            return "\(at.prefix)stage '\(stage)' has no parameter '\(parameter)'"
                + ClosestName.hint(for: parameter, among: declared, label: "declared parameters", none: "(it declares no parameters)")
        case .wrongParameterType(let at, let stage, let parameter, let expected, let found):
            return "\(at.prefix)parameter '\(stage).\(parameter)' expects \(expected), found '\(found)'"
        case .parameterOutOfRange(let at, let stage, let parameter, let value, let range):
            return "\(at.prefix)parameter '\(stage).\(parameter)' = \(value) is out of range \(range)"
        case .notAChoice(let at, let stage, let parameter, let found, let valid):
            return "\(at.prefix)parameter '\(stage).\(parameter)' is '\(found)', which is not one of its values"
                + ClosestName.hint(for: found, among: valid, label: "valid")
        case .invalidParameterValue(let at, let stage, let parameter, let value, let reason):
            return "\(at.prefix)parameter '\(stage).\(parameter)' = \(value): \(reason)"
        case .missingPath(let at, let stage, let parameter, let path, let resolved):
            let written = path == resolved ? "" : " (looked for \(resolved)"
                + (path.hasPrefix("/") || path.hasPrefix("~") ? ")" : "; relative paths are resolved against the manifest's folder)")
            return "\(at.prefix)parameter '\(stage).\(parameter)' names '\(path)', which does not exist\(written)"
        case .emptyPath(let at, let stage, let parameter, let optional):
            return "\(at.prefix)parameter '\(stage).\(parameter)' is an empty path, which would name the manifest's folder; "
                + "write a file or folder (`.` for the manifest's folder itself)" + (optional ? ", or write `none` for no file" : "")
        case .invalidOverride(let text, let reason):
            return "--set \(text): \(reason)"
        case .nestedTooDeeply(let at, let depth, let limit):
            return "\(at.prefix)lists and mappings nested \(depth) levels deep; at most \(limit) levels are allowed"
        case .codeNotFound(let at, let reference, let reason):
            return "\(at.prefix)code '\(reference)' not found: \(reason)"
        case .tooManyStages(let at, let limit):
            return "\(at.prefix)more than \(limit) stages; a manifest may have at most \(limit)"
        }
    }
}
