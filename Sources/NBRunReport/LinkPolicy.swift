/// Which link targets prose may use in the page. A `javascript:` or `data:` link would run
/// or embed content the author of a downloaded manifest chose; an absolute path or a
/// network image would make the page depend on the machine or the network it was written
/// on. The page's Content-Security-Policy blocks them as well; this keeps them out of it.
enum LinkPolicy {
    static let linkSchemes: Set<String> = ["http", "https", "mailto"]

    /// The destination of a prose link, or nil when it must not be a link.
    static func safeLink(_ destination: String) -> String? {
        guard isWellFormed(destination) else { return nil }
        if let scheme = scheme(of: destination) { return linkSchemes.contains(scheme) ? destination : nil }
        return destination.hasPrefix("//") ? nil : destination
    }

    /// The source of a prose image: a relative path only, so the folder stays portable.
    static func safeImage(_ destination: String) -> String? {
        guard isWellFormed(destination), scheme(of: destination) == nil,
              !destination.hasPrefix("/"), !destination.hasPrefix("#") else { return nil }
        return destination
    }

    /// Browsers drop tabs and newlines inside URLs (`java\tscript:`) and ignore a leading
    /// backslash as a slash; refusing every such character keeps what is checked identical
    /// to what a browser would follow.
    private static func isWellFormed(_ destination: String) -> Bool {
        !destination.isEmpty && !destination.unicodeScalars.contains { scalar in
            scalar.value <= 0x20 || scalar.value == 0x7F || scalar == "\\" || (0x80...0x9F).contains(scalar.value)
                || scalar.properties.isWhitespace
        }
    }

    /// The lower-cased scheme, when the destination has one (a colon before any `/?#`).
    private static func scheme(of destination: String) -> String? {
        guard let colon = destination.firstIndex(of: ":") else { return nil }
        let prefix = destination[..<colon]
        if prefix.contains(where: { "/?#".contains($0) }) { return nil }
        return prefix.lowercased()
    }
}
