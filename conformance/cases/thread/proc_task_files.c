// syscalls: openat, read, readlinkat, getdents64, tgkill, kill, rt_sigprocmask, clone
// timeout: 20
/* Every /proc file that reads process state, read from the main thread and from a second
 * thread, for the process (/proc/self), each thread (/proc/self/task/<tid>) and the reader
 * (/proc/thread-self): each read completes (a lock taken twice would hang the case), and the
 * thread-specific lines name the thread: Pid: and the first stat field are its tid, SigBlk:
 * its mask, SigPnd: its own pending signals and ShdPnd: the process's. A gone thread's
 * directory disappears. */
#include "harness.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

static const char *files[] = {"status", "stat", "comm", "maps", "cmdline", "mounts"};
#define NFILES (sizeof files / sizeof files[0])

static volatile pid_t ttid;
static volatile int phase;
static int file_fd;
static char buf[65536];

/* Reads a whole file into buf; returns its length or -1. */
static long slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return r < 0 ? -1 : n;
}

/* The value after "key:" in the status text in buf, as a number in `base`. */
static unsigned long long field(const char *key, int base) {
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s:", key);
    char *p = strstr(buf, pat);
    return p ? strtoull(p + strlen(pat), NULL, base) : ~0ULL;
}

/* Reads every file of dir ("/proc/self", ".../task/N", "/proc/thread-self"). */
static int read_all(const char *dir) {
    char path[256];
    int ok = 0;
    for (unsigned i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (slurp(path) > 0) ok++;
        else SAY("%s unreadable: %s", files[i], t_errname(errno));
    }
    return ok;
}

static void check_thread_dir(pid_t tid, int usr1_blocked, int own_pending) {
    char dir[128], path[256];
    snprintf(dir, sizeof dir, "/proc/self/task/%d", tid);
    EXPECT_EQ(read_all(dir), NFILES);
    snprintf(path, sizeof path, "%s/status", dir);
    slurp(path);
    EXPECT_EQ(field("Pid", 10) == (unsigned long long)tid, 1);
    EXPECT_EQ(field("Tgid", 10) == (unsigned long long)getpid(), 1);
    EXPECT_EQ(field("Threads", 10), 2);
    EXPECT_EQ(!!(field("SigBlk", 16) & (1ULL << (SIGUSR1 - 1))), usr1_blocked);
    EXPECT_EQ(!!(field("SigBlk", 16) & (1ULL << (SIGUSR2 - 1))), 1);
    EXPECT_EQ(!!(field("SigPnd", 16) & (1ULL << (SIGUSR2 - 1))), own_pending);
    EXPECT_EQ(!!(field("ShdPnd", 16) & (1ULL << (SIGUSR2 - 1))), 1);
    snprintf(path, sizeof path, "%s/stat", dir);
    slurp(path);
    EXPECT_EQ(atoi(buf) == tid, 1);
    /* Field 20 is num_threads; the comm in parentheses has no spaces here. */
    char *p = strrchr(buf, ')');
    int n = 0;
    for (int f = 3; p && f <= 20; f++) p = strchr(p + 1, ' ');
    if (p) n = atoi(p + 1);
    EXPECT_EQ(n, 2);
    char a[256], b[256];
    snprintf(path, sizeof path, "%s/comm", dir);
    slurp(path);
    strcpy(a, buf);
    slurp("/proc/self/comm");
    EXPECT_EQ(strcmp(a, buf), 0);
    /* The magic links lead where the process's do. */
    const char *links[] = {"cwd", "exe", "root"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, links[i]);
        ssize_t la = readlink(path, a, sizeof a - 1);
        snprintf(path, sizeof path, "/proc/self/%s", links[i]);
        ssize_t lb = readlink(path, b, sizeof b - 1);
        CHECK(la > 0 && la == lb && memcmp(a, b, la) == 0);
    }
    snprintf(path, sizeof path, "%s/fd/%d", dir, file_fd);
    ssize_t la = readlink(path, a, sizeof a - 1);
    snprintf(path, sizeof path, "/proc/self/fd/%d", file_fd);
    ssize_t lb = readlink(path, b, sizeof b - 1);
    CHECK(la > 0 && la == lb && memcmp(a, b, la) == 0);
    /* The directory lists at least these. */
    DIR *d = opendir(dir);
    int seen = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *want[] = {"status", "stat", "comm", "fd", "cwd", "exe", "root", "maps"};
        for (int i = 0; i < 8; i++)
            if (!strcmp(e->d_name, want[i])) seen |= 1 << i;
        if (!strcmp(e->d_name, "task")) seen |= 1 << 8;
    }
    if (d) closedir(d);
    EXPECT_EQ(seen, 0xff);
}

static void check_thread_self(pid_t me) {
    char link[64], want[64];
    ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "%d/task/%d", getpid(), me);
    EXPECT_EQ(strcmp(link, want), 0);
    EXPECT_EQ(read_all("/proc/thread-self"), NFILES);
    slurp("/proc/thread-self/status");
    EXPECT_EQ(field("Pid", 10) == (unsigned long long)me, 1);
    struct stat st;
    EXPECT_OK(lstat("/proc/thread-self", &st));
    EXPECT_EQ(S_ISLNK(st.st_mode), 1);
}

static void *fn(void *arg) {
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    ttid = syscall(SYS_gettid);
    while (phase != 1) usleep(1000);
    /* The second thread reads everything too, the leader's directory included. */
    SAY("from the second thread:");
    EXPECT_EQ(read_all("/proc/self"), NFILES);
    slurp("/proc/self/status");
    EXPECT_EQ(field("Pid", 10) == (unsigned long long)getpid(), 1);
    check_thread_self(ttid);
    check_thread_dir(getpid(), 0, 0);
    check_thread_dir(ttid, 1, 1);
    phase = 2;
    while (phase != 3) usleep(1000);
    return NULL;
}

int main(void) {
    alarm(15);
    file_fd = EXPECT_OK(open("x", O_CREAT | O_RDWR, 0644));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    while (!ttid) usleep(1000);
    /* SIGUSR2 pending for the process and for the second thread only. */
    EXPECT_OK(kill(getpid(), SIGUSR2));
    EXPECT_OK(syscall(SYS_tgkill, getpid(), ttid, SIGUSR2));

    SAY("from the main thread:");
    EXPECT_EQ(read_all("/proc/self"), NFILES);
    slurp("/proc/self/status");
    EXPECT_EQ(field("Pid", 10) == (unsigned long long)getpid(), 1);
    EXPECT_EQ(field("Threads", 10), 2);
    check_thread_self(getpid());
    check_thread_dir(getpid(), 0, 0);
    check_thread_dir(ttid, 1, 1);
    phase = 1;
    while (phase != 2) usleep(1000);

    pid_t gone = ttid;
    phase = 3;
    pthread_join(t, NULL);
    /* The thread's directory goes with it (Linux unhashes it a moment after the join). */
    char path[128];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", gone);
    int fd = -1;
    for (int i = 0; i < 1000 && (fd = open(path, O_RDONLY)) >= 0; i++) {
        close(fd);
        usleep(1000);
    }
    int err = errno;
    EXPECT_EQ(fd, -1);
    EXPECT_EQ(err, ENOENT);
    slurp("/proc/self/status");
    EXPECT_EQ(field("Threads", 10), 1);
    return t_done();
}
