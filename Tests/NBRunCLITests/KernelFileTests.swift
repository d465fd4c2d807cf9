import Foundation
import NBRunTestSupport
import Testing

/// Issue 27, defect 10: `--set words.text=/proc/kmsg` hung `run` and `status` (the file is
/// "regular", and its non-blocking read said "try again" for ever), and reading it consumes
/// the kernel log. Files of the kernel's /proc and /sys interfaces are refused by name before
/// their first read. (The test uses harmless ones: /proc/kmsg itself would consume the log
/// on the old code.)
@Suite("Files of /proc and /sys are refused as data")
struct KernelFileTests {
    @Test(arguments: ["/proc/self/status", "/sys/kernel/profiling"])
    func aKernelFileIsRefusedByNameWithoutHanging(path: String) throws {
        try #require(FileManager.default.fileExists(atPath: path), "\(path) is not on this machine")
        let sandbox = try Sandbox()
        try sandbox.file("Test.manifest", """
            title: kernel files
            cells:
              - stage: words
                kind: demo.count-words
                parameters: {text: \(path)}
            """)
        for command in [["Test.manifest", "--output", "out"], ["status", "Test.manifest", "--output", "out"]] {
            let result = try sandbox.nbrun(command, timeout: 30)
            #expect(!result.timedOut && result.status == 1, "\(command): exit \(result.status)\n\(result.output)")
            #expect(result.output.contains("cannot read \(path): it is a file of the kernel's /proc or /sys interface"),
                    "\(command): \(result.output)")
        }
    }
}
