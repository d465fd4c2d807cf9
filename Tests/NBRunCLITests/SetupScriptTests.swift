import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defect 15: `./nbrun` failed outright when another apt held the dpkg lock, even
/// though only the optional libjs-katex was missing. `Scripts/setup` (which `./nbrun`
/// sources) runs here against stand-ins for apt-get and pkg-config, never the real ones.
@Suite("Scripts/setup with apt busy")
struct SetupScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/setup")

    /// Sources the script with apt-get failing as it does when the dpkg lock is held, and
    /// `pkg-config` finding the required libraries or not.
    func setup(librariesPresent: Bool) throws -> (status: Int32, output: String, apt: String) {
        let sandbox = try Sandbox()
        let stubs: [String: String] = [
            "apt-get": "echo \"$*\" >> \"\(sandbox.url("apt.log").path)\"\n"
                + "echo 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)' >&2\nexit 100",
            "pkg-config": librariesPresent ? "exit 0" : "exit 1",
        ]
        for (name, body) in stubs {
            let url = try sandbox.file("bin/\(name)", "#!/bin/sh\n\(body)\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "source \"$0\"; echo 'setup returned'", Self.script.path]
        process.environment = [
            "PATH": sandbox.url("bin").path + ":/opt/swift/usr/bin:/usr/bin:/bin", "HOME": sandbox.root.path,
            "NBRUN_SETUP_KATEX_JS": sandbox.url("no-katex.js").path, "NBRUN_APT_LOCK_WAIT": "1",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let apt = (try? String(contentsOf: sandbox.url("apt.log"), encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, apt)
    }

    @Test func onlyKaTeXMissingGoesOnAndSaysSo() throws {
        let result = try setup(librariesPresent: true)
        #expect(result.status == 0 && result.output.contains("setup returned"), "\(result.output)")
        #expect(result.output.contains("going on without it: report.html shows its math as TeX source"), "\(result.output)")
        #expect(result.apt.contains("-o DPkg::Lock::Timeout=1"), "apt-get waits for the lock, with a bound: \(result.apt)")
    }

    @Test func aMissingRequiredLibraryStillStopsWithItsName() throws {
        let result = try setup(librariesPresent: false)
        #expect(result.status == 1 && !result.output.contains("setup returned"), "\(result.output)")
        #expect(result.output.contains("could not install zlib1g-dev libpng-dev"), "\(result.output)")
    }
}
