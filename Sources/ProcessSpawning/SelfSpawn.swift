import Foundation

/// Starts this executable again as a child: nbrun's worker process, and the runs `nbrun
/// watch` starts. The child gets every signal at its default disposition and none blocked,
/// whatever this process ignores or blocks (a watcher ignores SIGINT to handle it itself, a
/// parent's mask may be inherited), and only the descriptors it is handed, at fixed numbers.
public enum SelfSpawn {
    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { String(cString: strerror(code)) }
    }

    /// `descriptors` maps each of ours to the number the child sees it as. With
    /// `newProcessGroup`, the child leads a group of its own, which a terminal's Ctrl-C
    /// does not reach.
    public static func start(arguments: [String], environment: [String: String],
                             descriptors: [(ours: Int32, theirs: Int32)], newProcessGroup: Bool = false) -> Result<pid_t, Failure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (ours, theirs) in descriptors { posix_spawn_file_actions_adddup2(&actions, ours, theirs) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        // posix_spawn returns its error rather than setting errno.
        let status = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, envp)
        return status == 0 ? .success(pid) : .failure(Failure(code: status))
    }
}
