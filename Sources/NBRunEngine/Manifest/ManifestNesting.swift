import CYaml

/// The real nesting depth of a YAML text, measured on libyaml's event stream before
/// anything is composed.
///
/// Yams composes a document by recursion, one native stack frame (or more) per level, so
/// a deep document must be refused before it reaches Yams. Counting brackets in the text
/// is not enough: brackets inside quoted strings or prose are not nesting, and counting
/// them both refuses valid manifests and can be bypassed. libyaml's parser is a state
/// machine with an explicit stack, so reading its events costs no recursion at all, and
/// a start event is exactly one level.
///
/// Aliases count too: `*a` puts the whole anchored node at that place in the composed
/// tree, so each anchor's height is recorded and added where it is used; otherwise a
/// chain of anchors, each nesting the previous one, would build an arbitrarily deep tree
/// from a shallow text.
enum ManifestNesting {
    /// Where the document first goes deeper than `limit` levels, if it does.
    struct Excess: Equatable {
        /// 1-based line and column of the event that went too deep.
        var line: Int
        var column: Int
        /// The depth reached there (more than the limit).
        var depth: Int
    }

    /// The first place deeper than `limit`, or nil. A syntax error ends the measurement
    /// quietly: Yams then reports it with its own message and location.
    static func firstExcess(in text: String, limit: Int) -> Excess? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buffer -> Excess? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

            /// An open sequence or mapping: its anchor and the height of its tallest child.
            struct Frame { var anchor: String?; var tallestChild: Int }
            var open: [Frame] = []
            var anchorHeights: [String: Int] = [:]
            func finish(height: Int, anchor: String?) {
                if let anchor { anchorHeights[anchor] = height }
                if !open.isEmpty { open[open.count - 1].tallestChild = max(open[open.count - 1].tallestChild, height) }
            }
            func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                pointer.map { String(cString: $0) }
            }

            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? anchorName(event.data.sequence_start.anchor) : anchorName(event.data.mapping_start.anchor)
                    open.append(Frame(anchor: anchor, tallestChild: 0))
                    if open.count > limit { return Excess(line: line, column: column, depth: open.count) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = open.popLast() else { return nil }
                    finish(height: frame.tallestChild + 1, anchor: frame.anchor)
                case YAML_SCALAR_EVENT:
                    finish(height: 0, anchor: anchorName(event.data.scalar.anchor))
                case YAML_ALIAS_EVENT:
                    let height = anchorName(event.data.alias.anchor).flatMap { anchorHeights[$0] } ?? 0
                    if open.count + height > limit { return Excess(line: line, column: column, depth: open.count + height) }
                    finish(height: height, anchor: nil)
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            return nil
        }
    }
}
