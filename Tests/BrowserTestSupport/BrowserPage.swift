import Foundation

/// One tab of headless Chromium showing a local file: what it logged, what scripts
/// evaluate to in it, and screenshots of it.
public final class BrowserPage {
    public let browser: DevToolsPipe
    public let session: String

    public init(browser: DevToolsPipe, width: Int = 1280, height: Int = 1000) throws {
        self.browser = browser
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw BrowserError.malformedMessage("\(target)") }
        let attached = try browser.send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw BrowserError.malformedMessage("\(attached)") }
        self.session = session
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] { try browser.send(domain, session: session) }
        try browser.send("Emulation.setDeviceMetricsOverride",
                         ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
    }

    /// Loads the file and waits for its load event and its web fonts.
    public func open(_ file: URL) throws {
        browser.clearEvents()
        try browser.send("Page.navigate", ["url": file.absoluteURL.absoluteString], session: session)
        try browser.waitForEvent("Page.loadEventFired", session: session)
        _ = try evaluate("document.fonts.ready.then(() => true)")
    }

    /// Every console error, uncaught exception and error-level log entry (failed loads,
    /// Content-Security-Policy violations) the page produced.
    public var errors: [String] {
        browser.events.compactMap { event -> String? in
            guard event["sessionId"] as? String == session, let method = event["method"] as? String,
                  let parameters = event["params"] as? [String: Any] else { return nil }
            switch method {
            case "Runtime.exceptionThrown":
                let details = parameters["exceptionDetails"] as? [String: Any]
                let exception = details?["exception"] as? [String: Any]
                return "exception: \(exception?["description"] ?? details?["text"] ?? parameters)"
            case "Runtime.consoleAPICalled" where ["error", "assert"].contains(parameters["type"] as? String):
                let arguments = (parameters["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
                return "console.error: \(arguments.joined(separator: " "))"
            case "Log.entryAdded":
                guard let entry = parameters["entry"] as? [String: Any], entry["level"] as? String == "error" else { return nil }
                return "log (\(entry["source"] ?? "")): \(entry["text"] ?? "") \(entry["url"] ?? "")"
            default:
                return nil
            }
        }
    }

    /// The value of a JavaScript expression (awaited when it is a promise), decoded from JSON.
    public func evaluate(_ expression: String) throws -> Any? {
        let result = try browser.send("Runtime.evaluate", [
            "expression": "Promise.resolve(\(expression)).then(value => JSON.stringify(value))",
            "awaitPromise": true, "returnByValue": true,
        ], session: session)
        if let exception = result["exceptionDetails"] {
            throw BrowserError.protocolError(method: "Runtime.evaluate", message: "\(exception)")
        }
        guard let json = (result["result"] as? [String: Any])?["value"] as? String else { return nil }
        return try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
    }

    /// A PNG of the region (whole page when nil), in CSS pixels.
    public func screenshot(clip: (x: Double, y: Double, width: Double, height: Double)? = nil) throws -> Data {
        var region = clip
        if region == nil {
            let metrics = try browser.send("Page.getLayoutMetrics", session: session)
            let size = metrics["cssContentSize"] as? [String: Any]
            region = (0, 0, size?["width"] as? Double ?? 1280, min(size?["height"] as? Double ?? 1000, 16_000))
        }
        let shot = try browser.send("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": region!.x, "y": region!.y, "width": region!.width, "height": region!.height, "scale": 1],
        ], session: session)
        guard let encoded = shot["data"] as? String, let data = Data(base64Encoded: encoded) else {
            throw BrowserError.malformedMessage("Page.captureScreenshot returned no image")
        }
        return data
    }
}
