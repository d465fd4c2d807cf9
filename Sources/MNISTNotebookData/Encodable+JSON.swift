import Foundation
import MNIST
import NBRun

extension Encodable {
    /// The notebook's one JSON form for artifacts and checkpoints: sorted keys, so that the
    /// same values always give the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
