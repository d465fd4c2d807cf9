/// Loads and stores of the 16-lane vectors every kernel works in: one `SIMD16<Float>` is a
/// row of a register tile and a block of hidden units in the cell equations. They are
/// unaligned, since rows of a batch start wherever their stride puts them. The partial ones
/// serve the last block of units when H is not a multiple of 16; `forEachLaneBlock` calls
/// the cells' block functions with the literal width 16 for every full block, so that the
/// `count == 16` test folds away and the vectors stay in registers.

@_transparent @usableFromInline
func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@_transparent @usableFromInline
func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@_transparent @usableFromInline
func store(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
}

/// Loads `count` (≤ 16) floats; the remaining lanes are zero.
@_transparent @usableFromInline
func loadPartial(_ pointer: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    if count == 16 { return load(pointer) }
    var value = SIMD16<Float>()
    for lane in 0..<count { value[lane] = pointer[lane] }
    return value
}

@_transparent @usableFromInline
func loadPartial(_ pointer: UnsafeMutablePointer<Float>, count: Int) -> SIMD16<Float> {
    loadPartial(UnsafePointer(pointer), count: count)
}

/// Stores the first `count` (≤ 16) lanes.
@_transparent @usableFromInline
func storePartial(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 { store(value, pointer); return }
    for lane in 0..<count { pointer[lane] = value[lane] }
}
