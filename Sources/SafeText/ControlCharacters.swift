/// Text from stages, parameters, manifests and weights files can hold terminal escapes,
/// carriage returns or bidirectional overrides (a safetensors tensor name, a `--set` value).
/// On a terminal, in `report.md` or in `report.html` they would rewrite what a reader sees,
/// so every such character is shown as a visible Swift-style escape instead. One module
/// decides what is unsafe, for the runner core and the numerics alike, so the terminal and
/// the reports can never disagree about it.
public enum ControlCharacters {
    /// Whether a scalar must not reach a report as itself. Newline and tab are allowed
    /// only where the caller says so (multi-line output keeps its lines).
    public static func isUnsafe(_ scalar: Unicode.Scalar, allowingNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x0A: return !allowingNewlines
        case 0x09: return !allowingNewlines
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidirectional embeddings, overrides and isolates; line and paragraph separators.
        case 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    public static func containsUnsafe(_ text: String, allowingNewlines: Bool) -> Bool {
        text.unicodeScalars.contains { isUnsafe($0, allowingNewlines: allowingNewlines) }
    }

    /// `text` with each unsafe scalar replaced by `\u{…}` (`\r` for a carriage return, and
    /// `\n`, `\t` when newlines are not allowed).
    public static func escaped(_ text: String, allowingNewlines: Bool) -> String {
        guard containsUnsafe(text, allowingNewlines: allowingNewlines) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, allowingNewlines: allowingNewlines) {
                result.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// A Swift string literal for `text`, quotes included, with backslashes and quotes
    /// escaped too: used for a parameter value that holds control characters, so that what
    /// the report shows cannot be confused with a value that holds a literal `\n`.
    public static func swiftLiteral(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            default:
                if isUnsafe(scalar, allowingNewlines: false) { result += escape(scalar) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default: return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
}

extension String {
    /// The string for a terminal or an error message: every unsafe scalar (see
    /// ``ControlCharacters/isUnsafe(_:allowingNewlines:)``, newline and tab included) except
    /// those in `kept` is written as `\u{…}`, so a quoted file name or a stage's output
    /// cannot move the cursor, recolour or retitle the terminal, or rewrite a line with `\r`.
    public func escapingControlCharacters(keeping kept: Set<Unicode.Scalar> = []) -> String {
        func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
            ControlCharacters.isUnsafe(scalar, allowingNewlines: false) && !kept.contains(scalar)
        }
        guard unicodeScalars.contains(where: mustEscape) else { return self }
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if mustEscape(scalar) {
                result.append(contentsOf: ("\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}").unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
