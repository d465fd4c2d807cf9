extension String {
    /// The string with control characters written as Swift escapes (`\u{1B}`), except
    /// those listed in `kept`. Text from files (manifests, checkpoints, what a stage prints)
    /// reaches the terminal through this, so it cannot move the cursor, recolour or retitle
    /// the terminal, rewrite a line with `\r`, or hide itself behind bidirectional overrides.
    ///
    /// NeuralNetwork has its own copy for safetensors names: it depends on no module that
    /// could share it, and one small function is cheaper than one more module.
    public func escapingControlCharacters(keeping kept: Set<Unicode.Scalar> = []) -> String {
        guard unicodeScalars.contains(where: { $0.isUnsafeInTerminal && !kept.contains($0) }) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            if scalar.isUnsafeInTerminal && !kept.contains(scalar) {
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
