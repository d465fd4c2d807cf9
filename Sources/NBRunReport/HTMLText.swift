/// HTML escaping for the page. Every piece of text that did not come from the renderers
/// themselves passes through here, in element content and in attribute values alike.
public enum HTMLText {
    public static func escaped(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Text of a fragment the renderers produced, for the table of contents and titles:
    /// tags dropped, entities kept as they are (the fragment is already escaped).
    static func strippingTags(_ html: String) -> String {
        var result = "", inTag = false
        for character in html {
            if character == "<" { inTag = true } else if character == ">" && inTag { inTag = false } else if !inTag { result.append(character) }
        }
        return result
    }
}
