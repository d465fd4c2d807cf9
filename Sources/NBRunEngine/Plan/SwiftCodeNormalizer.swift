import Foundation

/// The part of a stage's fingerprint that comes from its code.
///
/// How the code part is obtained: the EmbedStageSources build plugin embeds the text of
/// each file under a plugin's `Stages/` folder into the plugin module at build time, so
/// nbrun fingerprints exactly the code it was compiled from. Before hashing, this lexer
/// removes `//` and (nested) `/* */` comments that are outside string literals and
/// collapses every run of whitespace to one space, so edits to comments, indentation or
/// blank lines do not make a stage stale, while any change to a token does.
///
/// The same normalisation applies to library code (see ``LibraryCode``): the plugin's own
/// module and the package modules a stage file imports are part of its fingerprint too.
/// Code outside the package (toolchain, system libraries, dependencies) and the runner core
/// are not; after changing those, rerun with `--stage NAME`, `--from NAME` or `--force`.
/// Whitespace that changes meaning (`a +b` versus `a + b`) is conservatively kept as a difference only
/// when whitespace appears or disappears, never for its amount.
public enum SwiftCodeNormalizer {
    public static func normalize(_ source: String) -> String {
        var scanner = Scanner(bytes: Array(source.utf8))
        scanner.scanCode(stopAtUnbalancedParen: false)
        while scanner.output.last == UInt8(ascii: " ") { scanner.output.removeLast() }
        return String(decoding: scanner.output, as: UTF8.self)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []
        var pendingSpace = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        mutating func emit(_ byte: UInt8) {
            if pendingSpace, !output.isEmpty { output.append(UInt8(ascii: " ")) }
            pendingSpace = false
            output.append(byte)
        }

        /// Code outside string literals. Inside an interpolation `\( ... )` it returns at
        /// the parenthesis that closes it.
        mutating func scanCode(stopAtUnbalancedParen: Bool) {
            var depth = 0
            while let byte = peek() {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    pendingSpace = true
                    index += 1
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                    while let next = peek(), next != UInt8(ascii: "\n") { index += 1 }
                    pendingSpace = true
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                    pendingSpace = true
                case UInt8(ascii: "\""), UInt8(ascii: "#"):
                    if !scanStringLiteral() {
                        emit(byte)
                        index += 1
                    }
                case UInt8(ascii: "("):
                    depth += 1
                    emit(byte)
                    index += 1
                case UInt8(ascii: ")"):
                    if stopAtUnbalancedParen && depth == 0 { return }
                    depth -= 1
                    emit(byte)
                    index += 1
                default:
                    emit(byte)
                    index += 1
                }
            }
        }

        mutating func skipBlockComment() {
            var nesting = 0
            while index < bytes.count {
                if peek() == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                    nesting += 1
                    index += 2
                } else if peek() == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                    nesting -= 1
                    index += 2
                    if nesting == 0 { return }
                } else {
                    index += 1
                }
            }
        }

        /// Copies a string literal (plain, multi-line or raw) verbatim, scanning
        /// interpolations as code. Returns false when `#` does not start a raw string.
        mutating func scanStringLiteral() -> Bool {
            var hashes = 0
            while peek(hashes) == UInt8(ascii: "#") { hashes += 1 }
            guard peek(hashes) == UInt8(ascii: "\"") else { return false }
            let multiline = peek(hashes + 1) == UInt8(ascii: "\"") && peek(hashes + 2) == UInt8(ascii: "\"")
            let quoteCount = multiline ? 3 : 1
            for _ in 0..<(hashes + quoteCount) { emit(bytes[index]); index += 1 }
            while let byte = peek() {
                if byte == UInt8(ascii: "\\"), matchesHashes(hashes, at: index + 1) {
                    emit(byte); index += 1
                    for _ in 0..<hashes { emit(bytes[index]); index += 1 }
                    if peek() == UInt8(ascii: "(") {
                        emit(UInt8(ascii: "(")); index += 1
                        scanCode(stopAtUnbalancedParen: true)
                        if peek() == UInt8(ascii: ")") { emit(UInt8(ascii: ")")); index += 1 }
                    } else if let escaped = peek() {
                        emit(escaped); index += 1
                    }
                    continue
                }
                if byte == UInt8(ascii: "\""), closes(quoteCount: quoteCount, hashes: hashes) {
                    for _ in 0..<(quoteCount + hashes) { emit(bytes[index]); index += 1 }
                    return true
                }
                if !multiline, byte == UInt8(ascii: "\n") { return true }  // unterminated: let code resume
                emit(byte)
                index += 1
            }
            return true
        }

        func matchesHashes(_ count: Int, at position: Int) -> Bool {
            (0..<count).allSatisfy { position + $0 < bytes.count && bytes[position + $0] == UInt8(ascii: "#") }
        }

        func closes(quoteCount: Int, hashes: Int) -> Bool {
            for offset in 0..<quoteCount where peek(offset) != UInt8(ascii: "\"") { return false }
            return matchesHashes(hashes, at: index + quoteCount)
        }
    }
}
