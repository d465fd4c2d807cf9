extension String {
    /// The string with every control character written as a Swift escape (`\u{1B}`), so
    /// that text taken from a file (a tensor name, a metadata key) cannot move the cursor,
    /// recolour or retitle the terminal, or hide itself, when it appears in a message.
    ///
    /// NBRunCore has its own copy for manifest-derived text and the console: this module
    /// depends on no other that could share it, and one small function is cheaper than one
    /// more module.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isUnsafeInTerminal) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            if scalar.isUnsafeInTerminal {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// C0 and C1 controls, DEL, and the invisible bidirectional overrides and line
    /// separators that can make text display differently from what it is.
    var isUnsafeInTerminal: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
