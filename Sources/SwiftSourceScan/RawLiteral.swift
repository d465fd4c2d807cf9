/// A raw string literal with a delimiter longer than any run of `#` in the text, so the
/// source is embedded byte-exact whatever quotes or backslashes it holds.
public func rawLiteral(_ text: String) -> String {
    var longestRun = 0, run = 0
    for character in text {
        run = character == "#" ? run + 1 : 0
        longestRun = max(longestRun, run)
    }
    let hashes = String(repeating: "#", count: longestRun + 1)
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

public func quoted(_ text: String) -> String { "\"\(text)\"" }
