import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

/// Records on disk outlive the nbrun that wrote them: a field nbrun no longer writes must not
/// turn a cached result into a damaged one.
@Suite("Stage records written by earlier versions")
struct StageRecordFormatTests {
    /// Until the field was removed, every record said `"status": "succeeded"` (a failed stage
    /// never writes one). Such a record is still read, and its stage stays fresh.
    @Test func aRecordWithTheOldStatusFieldIsStillRead() throws {
        let notebook = try TestNotebook()
        try notebook.run()
        let fingerprint = try #require(try notebook.status()["generate"]).fingerprint
        let variant = VariantCache(root: notebook.output.appendingPathComponent(".cache")).variantFolder("generate", fingerprint: fingerprint)
        let recordURL = variant.appendingPathComponent("record.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: recordURL)) as? [String: Any])
        #expect(json["status"] == nil, "new records do not write it")
        json["status"] = "succeeded"
        // A new file, not an edit in place: the view's record is a hard link to this one.
        try FileManager.default.removeItem(at: recordURL)
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: recordURL)

        let plan = try #require(try notebook.status()["generate"])
        #expect(plan.freshness.isFresh, "\(plan.freshness.summary)")
        let again = try notebook.run()
        #expect(again.executed.isEmpty, "\(notebook.console.text)")
        #expect(again.isCached("generate"))
    }
}
