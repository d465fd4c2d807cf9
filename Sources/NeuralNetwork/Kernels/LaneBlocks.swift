/// Runs `body` over the hidden units `units` in blocks of 16 lanes (one `SIMD16<Float>`):
/// every full block with the literal width 16, then one partial block when the range is
/// not a multiple of 16.
///
/// Why the literal: once `body` is inlined at both calls, the full blocks' partial loads
/// and stores see `count == 16` as a constant, fold into plain vector ones, and the vectors
/// stay in registers; only the last block pays for lane-by-lane copies.
///
/// Pass a local function marked `@_transparent`, not a closure literal. Both are then
/// inlined before optimization, at both calls, whatever their size. The optimizer instead
/// kept a closure holding a cell's block (with its tanh and sigmoids) as one out-of-line
/// function called with a variable width, and the activations ran three times slower.
@_transparent @usableFromInline
func forEachLaneBlock(in units: Range<Int>, _ body: (_ unit: Int, _ width: Int) -> Void) {
    var unit = units.lowerBound
    while unit + 16 <= units.upperBound {
        body(unit, 16)
        unit += 16
    }
    if unit < units.upperBound { body(unit, units.upperBound - unit) }
}
