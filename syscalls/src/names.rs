//! Every x86-64 Linux syscall number with its name and, for those sbx does not implement, the
//! reason a user reads in the compatibility table. Names match Linux's `syscall_64.tbl` exactly,
//! because seccomp profiles, strace output and the docs all refer to syscalls by these names.

// Notes shared by several syscalls. A note is what the compatibility table shows while the
// syscall is unimplemented, so it is written for a user, not for us.
const NOT_YET: &str = "not implemented yet";
const OBSOLETE: &str = "obsolete; removed from Linux";
const NEVER_IN_LINUX: &str = "reserved; never implemented by Linux";
const PRIVILEGED: &str = "needs privileges the sandbox never grants";
const MODULES: &str = "kernel modules cannot be loaded in a sandbox";
const TLS32: &str = "32-bit TLS descriptors; x86-64 programs use arch_prctl";
const OLD_EPOLL: &str = "obsolete; no x86-64 program uses it";
const IO_PORTS: &str = "direct I/O port access is never granted in a sandbox";
const QUOTA: &str = "disk quotas are not supported";
const SET_CLOCK: &str = "setting the clock needs CAP_SYS_TIME, which the sandbox never grants";
const TUNE_CLOCK: &str = "clock tuning is not implemented yet (setting it needs CAP_SYS_TIME)";
const HOSTNAME: &str = "changing the hostname needs CAP_SYS_ADMIN, which the sandbox never grants";
const SYSV_IPC: &str = "System V IPC is not implemented yet";
const MQUEUE: &str = "POSIX message queues are not implemented yet";
const XATTR: &str = "extended attributes are not implemented yet";
const MLOCK: &str = "memory locking is not implemented yet";
const MOUNT: &str = "the mount table is fixed when the sandbox starts";
const MOUNT_QUERY: &str = "not implemented yet; read /proc/self/mountinfo";
const AIO: &str = "Linux native AIO is not implemented yet (POSIX AIO in libc uses threads)";
const NUMA: &str = "NUMA policies are not supported (the sandbox has one memory node)";
const KEYRING: &str = "the kernel keyring is not supported";
const INOTIFY: &str = "inotify is not implemented yet";
const FANOTIFY: &str = "fanotify is not supported";
const NAMESPACES: &str = "namespaces cannot be created or joined inside the sandbox";
const FILE_HANDLES: &str = "file handles are not supported";
const PKEYS: &str = "memory protection keys are not supported";
const IO_URING: &str = "io_uring is not supported";
const LANDLOCK: &str = "Landlock is not supported; sbx enforces its own filesystem policy";
const FUTEX2: &str = "the futex2 calls are not implemented yet; futex is the supported interface";
const LSM: &str = "no Linux security modules run in the sandbox";

/// `(number, name, note shown while the syscall is unimplemented)`, sorted by number: every
/// x86-64 syscall from `arch/x86/entry/syscalls/syscall_64.tbl` (0..=335 and 424..=462).
#[rustfmt::skip] // One row a line reads like the kernel's table; rustfmt would split long rows.
pub const SYSCALLS: &[(u32, &str, &str)] = &[
    (0, "read", NOT_YET),
    (1, "write", NOT_YET),
    (2, "open", NOT_YET),
    (3, "close", NOT_YET),
    (4, "stat", NOT_YET),
    (5, "fstat", NOT_YET),
    (6, "lstat", NOT_YET),
    (7, "poll", NOT_YET),
    (8, "lseek", NOT_YET),
    (9, "mmap", NOT_YET),
    (10, "mprotect", NOT_YET),
    (11, "munmap", NOT_YET),
    (12, "brk", NOT_YET),
    (13, "rt_sigaction", NOT_YET),
    (14, "rt_sigprocmask", NOT_YET),
    (15, "rt_sigreturn", NOT_YET),
    (16, "ioctl", NOT_YET),
    (17, "pread64", NOT_YET),
    (18, "pwrite64", NOT_YET),
    (19, "readv", NOT_YET),
    (20, "writev", NOT_YET),
    (21, "access", NOT_YET),
    (22, "pipe", NOT_YET),
    (23, "select", NOT_YET),
    (24, "sched_yield", NOT_YET),
    (25, "mremap", NOT_YET),
    (26, "msync", NOT_YET),
    (27, "mincore", NOT_YET),
    (28, "madvise", NOT_YET),
    (29, "shmget", SYSV_IPC),
    (30, "shmat", SYSV_IPC),
    (31, "shmctl", SYSV_IPC),
    (32, "dup", NOT_YET),
    (33, "dup2", NOT_YET),
    (34, "pause", NOT_YET),
    (35, "nanosleep", NOT_YET),
    (36, "getitimer", NOT_YET),
    (37, "alarm", NOT_YET),
    (38, "setitimer", NOT_YET),
    (39, "getpid", NOT_YET),
    (40, "sendfile", NOT_YET),
    (41, "socket", NOT_YET),
    (42, "connect", NOT_YET),
    (43, "accept", NOT_YET),
    (44, "sendto", NOT_YET),
    (45, "recvfrom", NOT_YET),
    (46, "sendmsg", NOT_YET),
    (47, "recvmsg", NOT_YET),
    (48, "shutdown", NOT_YET),
    (49, "bind", NOT_YET),
    (50, "listen", NOT_YET),
    (51, "getsockname", NOT_YET),
    (52, "getpeername", NOT_YET),
    (53, "socketpair", NOT_YET),
    (54, "setsockopt", NOT_YET),
    (55, "getsockopt", NOT_YET),
    (56, "clone", NOT_YET),
    (57, "fork", NOT_YET),
    (58, "vfork", NOT_YET),
    (59, "execve", NOT_YET),
    (60, "exit", NOT_YET),
    (61, "wait4", NOT_YET),
    (62, "kill", NOT_YET),
    (63, "uname", NOT_YET),
    (64, "semget", SYSV_IPC),
    (65, "semop", SYSV_IPC),
    (66, "semctl", SYSV_IPC),
    (67, "shmdt", SYSV_IPC),
    (68, "msgget", SYSV_IPC),
    (69, "msgsnd", SYSV_IPC),
    (70, "msgrcv", SYSV_IPC),
    (71, "msgctl", SYSV_IPC),
    (72, "fcntl", NOT_YET),
    (73, "flock", NOT_YET),
    (74, "fsync", NOT_YET),
    (75, "fdatasync", NOT_YET),
    (76, "truncate", NOT_YET),
    (77, "ftruncate", NOT_YET),
    (78, "getdents", NOT_YET),
    (79, "getcwd", NOT_YET),
    (80, "chdir", NOT_YET),
    (81, "fchdir", NOT_YET),
    (82, "rename", NOT_YET),
    (83, "mkdir", NOT_YET),
    (84, "rmdir", NOT_YET),
    (85, "creat", NOT_YET),
    (86, "link", NOT_YET),
    (87, "unlink", NOT_YET),
    (88, "symlink", NOT_YET),
    (89, "readlink", NOT_YET),
    (90, "chmod", NOT_YET),
    (91, "fchmod", NOT_YET),
    (92, "chown", NOT_YET),
    (93, "fchown", NOT_YET),
    (94, "lchown", NOT_YET),
    (95, "umask", NOT_YET),
    (96, "gettimeofday", NOT_YET),
    (97, "getrlimit", NOT_YET),
    (98, "getrusage", NOT_YET),
    (99, "sysinfo", NOT_YET),
    (100, "times", NOT_YET),
    (101, "ptrace", "debugging with ptrace is not implemented yet"),
    (102, "getuid", NOT_YET),
    (103, "syslog", "the host's kernel log is not visible in a sandbox"),
    (104, "getgid", NOT_YET),
    (105, "setuid", NOT_YET),
    (106, "setgid", NOT_YET),
    (107, "geteuid", NOT_YET),
    (108, "getegid", NOT_YET),
    (109, "setpgid", NOT_YET),
    (110, "getppid", NOT_YET),
    (111, "getpgrp", NOT_YET),
    (112, "setsid", NOT_YET),
    (113, "setreuid", NOT_YET),
    (114, "setregid", NOT_YET),
    (115, "getgroups", NOT_YET),
    (116, "setgroups", NOT_YET),
    (117, "setresuid", NOT_YET),
    (118, "getresuid", NOT_YET),
    (119, "setresgid", NOT_YET),
    (120, "getresgid", NOT_YET),
    (121, "getpgid", NOT_YET),
    (122, "setfsuid", NOT_YET),
    (123, "setfsgid", NOT_YET),
    (124, "getsid", NOT_YET),
    (125, "capget", NOT_YET),
    (126, "capset", NOT_YET),
    (127, "rt_sigpending", NOT_YET),
    (128, "rt_sigtimedwait", NOT_YET),
    (129, "rt_sigqueueinfo", NOT_YET),
    (130, "rt_sigsuspend", NOT_YET),
    (131, "sigaltstack", NOT_YET),
    (132, "utime", NOT_YET),
    (133, "mknod", NOT_YET),
    (134, "uselib", "obsolete a.out library loader; removed from Linux"),
    (135, "personality", NOT_YET),
    (136, "ustat", "obsolete; use statfs"),
    (137, "statfs", NOT_YET),
    (138, "fstatfs", NOT_YET),
    (139, "sysfs", "obsolete; use /proc/filesystems"),
    (140, "getpriority", NOT_YET),
    (141, "setpriority", NOT_YET),
    (142, "sched_setparam", NOT_YET),
    (143, "sched_getparam", NOT_YET),
    (144, "sched_setscheduler", NOT_YET),
    (145, "sched_getscheduler", NOT_YET),
    (146, "sched_get_priority_max", NOT_YET),
    (147, "sched_get_priority_min", NOT_YET),
    (148, "sched_rr_get_interval", NOT_YET),
    (149, "mlock", MLOCK),
    (150, "munlock", MLOCK),
    (151, "mlockall", MLOCK),
    (152, "munlockall", MLOCK),
    (153, "vhangup", PRIVILEGED),
    (154, "modify_ldt", "LDT segments are not supported"),
    (155, "pivot_root", PRIVILEGED),
    (156, "_sysctl", "obsolete; removed from Linux (use /proc/sys)"),
    (157, "prctl", NOT_YET),
    (158, "arch_prctl", NOT_YET),
    (159, "adjtimex", TUNE_CLOCK),
    (160, "setrlimit", NOT_YET),
    (161, "chroot", NOT_YET),
    (162, "sync", NOT_YET),
    (163, "acct", PRIVILEGED),
    (164, "settimeofday", SET_CLOCK),
    (165, "mount", MOUNT),
    (166, "umount2", MOUNT),
    (167, "swapon", PRIVILEGED),
    (168, "swapoff", PRIVILEGED),
    (169, "reboot", PRIVILEGED),
    (170, "sethostname", HOSTNAME),
    (171, "setdomainname", HOSTNAME),
    (172, "iopl", IO_PORTS),
    (173, "ioperm", IO_PORTS),
    (174, "create_module", OBSOLETE),
    (175, "init_module", MODULES),
    (176, "delete_module", MODULES),
    (177, "get_kernel_syms", OBSOLETE),
    (178, "query_module", OBSOLETE),
    (179, "quotactl", QUOTA),
    (180, "nfsservctl", OBSOLETE),
    (181, "getpmsg", NEVER_IN_LINUX),
    (182, "putpmsg", NEVER_IN_LINUX),
    (183, "afs_syscall", NEVER_IN_LINUX),
    (184, "tuxcall", NEVER_IN_LINUX),
    (185, "security", NEVER_IN_LINUX),
    (186, "gettid", NOT_YET),
    (187, "readahead", NOT_YET),
    (188, "setxattr", XATTR),
    (189, "lsetxattr", XATTR),
    (190, "fsetxattr", XATTR),
    (191, "getxattr", XATTR),
    (192, "lgetxattr", XATTR),
    (193, "fgetxattr", XATTR),
    (194, "listxattr", XATTR),
    (195, "llistxattr", XATTR),
    (196, "flistxattr", XATTR),
    (197, "removexattr", XATTR),
    (198, "lremovexattr", XATTR),
    (199, "fremovexattr", XATTR),
    (200, "tkill", NOT_YET),
    (201, "time", NOT_YET),
    (202, "futex", NOT_YET),
    (203, "sched_setaffinity", NOT_YET),
    (204, "sched_getaffinity", NOT_YET),
    (205, "set_thread_area", TLS32),
    (206, "io_setup", AIO),
    (207, "io_destroy", AIO),
    (208, "io_getevents", AIO),
    (209, "io_submit", AIO),
    (210, "io_cancel", AIO),
    (211, "get_thread_area", TLS32),
    (212, "lookup_dcookie", OBSOLETE),
    (213, "epoll_create", NOT_YET),
    (214, "epoll_ctl_old", OLD_EPOLL),
    (215, "epoll_wait_old", OLD_EPOLL),
    (216, "remap_file_pages", "deprecated by Linux; not implemented"),
    (217, "getdents64", NOT_YET),
    (218, "set_tid_address", NOT_YET),
    (219, "restart_syscall", NOT_YET),
    (220, "semtimedop", SYSV_IPC),
    (221, "fadvise64", NOT_YET),
    (222, "timer_create", NOT_YET),
    (223, "timer_settime", NOT_YET),
    (224, "timer_gettime", NOT_YET),
    (225, "timer_getoverrun", NOT_YET),
    (226, "timer_delete", NOT_YET),
    (227, "clock_settime", SET_CLOCK),
    (228, "clock_gettime", NOT_YET),
    (229, "clock_getres", NOT_YET),
    (230, "clock_nanosleep", NOT_YET),
    (231, "exit_group", NOT_YET),
    (232, "epoll_wait", NOT_YET),
    (233, "epoll_ctl", NOT_YET),
    (234, "tgkill", NOT_YET),
    (235, "utimes", NOT_YET),
    (236, "vserver", NEVER_IN_LINUX),
    (237, "mbind", NUMA),
    (238, "set_mempolicy", NUMA),
    (239, "get_mempolicy", NUMA),
    (240, "mq_open", MQUEUE),
    (241, "mq_unlink", MQUEUE),
    (242, "mq_timedsend", MQUEUE),
    (243, "mq_timedreceive", MQUEUE),
    (244, "mq_notify", MQUEUE),
    (245, "mq_getsetattr", MQUEUE),
    (246, "kexec_load", PRIVILEGED),
    (247, "waitid", NOT_YET),
    (248, "add_key", KEYRING),
    (249, "request_key", KEYRING),
    (250, "keyctl", KEYRING),
    (251, "ioprio_set", NOT_YET),
    (252, "ioprio_get", NOT_YET),
    (253, "inotify_init", INOTIFY),
    (254, "inotify_add_watch", INOTIFY),
    (255, "inotify_rm_watch", INOTIFY),
    (256, "migrate_pages", NUMA),
    (257, "openat", NOT_YET),
    (258, "mkdirat", NOT_YET),
    (259, "mknodat", NOT_YET),
    (260, "fchownat", NOT_YET),
    (261, "futimesat", NOT_YET),
    (262, "newfstatat", NOT_YET),
    (263, "unlinkat", NOT_YET),
    (264, "renameat", NOT_YET),
    (265, "linkat", NOT_YET),
    (266, "symlinkat", NOT_YET),
    (267, "readlinkat", NOT_YET),
    (268, "fchmodat", NOT_YET),
    (269, "faccessat", NOT_YET),
    (270, "pselect6", NOT_YET),
    (271, "ppoll", NOT_YET),
    (272, "unshare", NAMESPACES),
    (273, "set_robust_list", NOT_YET),
    (274, "get_robust_list", NOT_YET),
    (275, "splice", NOT_YET),
    (276, "tee", NOT_YET),
    (277, "sync_file_range", NOT_YET),
    (278, "vmsplice", NOT_YET),
    (279, "move_pages", NUMA),
    (280, "utimensat", NOT_YET),
    (281, "epoll_pwait", NOT_YET),
    (282, "signalfd", NOT_YET),
    (283, "timerfd_create", NOT_YET),
    (284, "eventfd", NOT_YET),
    (285, "fallocate", NOT_YET),
    (286, "timerfd_settime", NOT_YET),
    (287, "timerfd_gettime", NOT_YET),
    (288, "accept4", NOT_YET),
    (289, "signalfd4", NOT_YET),
    (290, "eventfd2", NOT_YET),
    (291, "epoll_create1", NOT_YET),
    (292, "dup3", NOT_YET),
    (293, "pipe2", NOT_YET),
    (294, "inotify_init1", INOTIFY),
    (295, "preadv", NOT_YET),
    (296, "pwritev", NOT_YET),
    (297, "rt_tgsigqueueinfo", NOT_YET),
    (298, "perf_event_open", "performance counters are not exposed to sandboxed programs"),
    (299, "recvmmsg", NOT_YET),
    (300, "fanotify_init", FANOTIFY),
    (301, "fanotify_mark", FANOTIFY),
    (302, "prlimit64", NOT_YET),
    (303, "name_to_handle_at", FILE_HANDLES),
    (304, "open_by_handle_at", FILE_HANDLES),
    (305, "clock_adjtime", TUNE_CLOCK),
    (306, "syncfs", NOT_YET),
    (307, "sendmmsg", NOT_YET),
    (308, "setns", NAMESPACES),
    (309, "getcpu", NOT_YET),
    (310, "process_vm_readv", NOT_YET),
    (311, "process_vm_writev", NOT_YET),
    (312, "kcmp", NOT_YET),
    (313, "finit_module", MODULES),
    (314, "sched_setattr", NOT_YET),
    (315, "sched_getattr", NOT_YET),
    (316, "renameat2", NOT_YET),
    (317, "seccomp", "guest seccomp filters are not implemented yet (sbx applies its own policy)"),
    (318, "getrandom", NOT_YET),
    (319, "memfd_create", NOT_YET),
    (320, "kexec_file_load", PRIVILEGED),
    (321, "bpf", "eBPF is not supported"),
    (322, "execveat", NOT_YET),
    (323, "userfaultfd", "userfaultfd is not implemented yet"),
    (324, "membarrier", NOT_YET),
    (325, "mlock2", MLOCK),
    (326, "copy_file_range", NOT_YET),
    (327, "preadv2", NOT_YET),
    (328, "pwritev2", NOT_YET),
    (329, "pkey_mprotect", PKEYS),
    (330, "pkey_alloc", PKEYS),
    (331, "pkey_free", PKEYS),
    (332, "statx", NOT_YET),
    (333, "io_pgetevents", AIO),
    (334, "rseq", "glibc falls back when rseq is unavailable"),
    (335, "uretprobe", "uprobes are a kernel tracing feature, not available in a sandbox"),
    // 336..=423: not in this table (424 on is numbered alike on every architecture).
    (424, "pidfd_send_signal", NOT_YET),
    (425, "io_uring_setup", IO_URING),
    (426, "io_uring_enter", IO_URING),
    (427, "io_uring_register", IO_URING),
    (428, "open_tree", MOUNT),
    (429, "move_mount", MOUNT),
    (430, "fsopen", MOUNT),
    (431, "fsconfig", MOUNT),
    (432, "fsmount", MOUNT),
    (433, "fspick", MOUNT),
    (434, "pidfd_open", NOT_YET),
    (435, "clone3", NOT_YET),
    (436, "close_range", NOT_YET),
    (437, "openat2", NOT_YET),
    (438, "pidfd_getfd", NOT_YET),
    (439, "faccessat2", NOT_YET),
    (440, "process_madvise", NOT_YET),
    (441, "epoll_pwait2", NOT_YET),
    (442, "mount_setattr", MOUNT),
    (443, "quotactl_fd", QUOTA),
    (444, "landlock_create_ruleset", LANDLOCK),
    (445, "landlock_add_rule", LANDLOCK),
    (446, "landlock_restrict_self", LANDLOCK),
    (447, "memfd_secret", "secret memory areas are not supported"),
    (448, "process_mrelease", NOT_YET),
    (449, "futex_waitv", FUTEX2),
    (450, "set_mempolicy_home_node", NUMA),
    (451, "cachestat", "page-cache statistics are not implemented yet"),
    (452, "fchmodat2", NOT_YET),
    (453, "map_shadow_stack", "shadow stacks (CET) are not supported"),
    (454, "futex_wake", FUTEX2),
    (455, "futex_wait", FUTEX2),
    (456, "futex_requeue", FUTEX2),
    (457, "statmount", MOUNT_QUERY),
    (458, "listmount", MOUNT_QUERY),
    (459, "lsm_get_self_attr", LSM),
    (460, "lsm_set_self_attr", LSM),
    (461, "lsm_list_modules", LSM),
    (462, "mseal", "memory sealing is not implemented yet"),
];

/// The number of the syscall called `name`, if x86-64 Linux has one.
pub fn number(name: &str) -> Option<u32> {
    SYSCALLS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|&(nr, _, _)| nr)
}

/// The name of syscall `nr`, if x86-64 Linux defines it.
pub fn name(nr: u32) -> Option<&'static str> {
    SYSCALLS
        .binary_search_by_key(&nr, |&(n, _, _)| n)
        .ok()
        .map(|i| SYSCALLS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn numbers_are_sorted_and_unique() {
        for w in SYSCALLS.windows(2) {
            assert!(w[0].0 < w[1].0, "{} then {}", w[0].0, w[1].0);
        }
    }

    #[test]
    fn covers_exactly_the_x86_64_ranges() {
        let nrs: Vec<u32> = SYSCALLS.iter().map(|e| e.0).collect();
        let want: Vec<u32> = (0..=335).chain(424..=462).collect();
        assert_eq!(nrs, want);
    }

    #[test]
    fn names_are_unique_and_notes_present() {
        let mut seen = HashSet::new();
        for &(nr, name, note) in SYSCALLS {
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(!note.is_empty(), "syscall {nr} has no note");
            assert!(
                !note.contains('|'),
                "note of {name} would break the Markdown table"
            );
        }
    }

    #[test]
    fn well_known_numbers() {
        let known = [
            ("read", 0),
            ("write", 1),
            ("open", 2),
            ("close", 3),
            ("mmap", 9),
            ("brk", 12),
            ("rt_sigaction", 13),
            ("ioctl", 16),
            ("pread64", 17),
            ("pwrite64", 18),
            ("pipe", 22),
            ("clone", 56),
            ("fork", 57),
            ("execve", 59),
            ("exit", 60),
            ("wait4", 61),
            ("kill", 62),
            ("uname", 63),
            ("fcntl", 72),
            ("_sysctl", 156),
            ("getdents64", 217),
            ("fadvise64", 221),
            ("exit_group", 231),
            ("openat", 257),
            ("newfstatat", 262),
            ("getrandom", 318),
            ("statx", 332),
            ("rseq", 334),
            ("uretprobe", 335),
            ("clone3", 435),
            ("openat2", 437),
            ("faccessat2", 439),
            ("cachestat", 451),
            ("mseal", 462),
        ];
        for (name, nr) in known {
            assert_eq!(number(name), Some(nr), "{name}");
            assert_eq!(super::name(nr), Some(name), "{nr}");
        }
        assert_eq!(number("no_such_call"), None);
        assert_eq!(super::name(400), None);
    }
}
