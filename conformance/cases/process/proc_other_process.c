// syscalls: fork, execve, openat, read, getdents64, wait4, kill
/* /proc shows every process of the pid namespace, not only the caller: a child's directory
 * appears in the listing, its stat and status name it with its parent and state (sleeping,
 * stopped, zombie), its cmdline is the argv it exec'd with and environ its environment; the
 * directory is gone once the child is reaped. */
#include "harness.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static int slurp(const char *path, char *buf, int cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    int n = 0, r;
    while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

static int listed(pid_t pid) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (atoi(e->d_name) == pid) found = 1;
    if (d) closedir(d);
    return found;
}

/* Field 3 of /proc/<pid>/stat: the state letter ('-' when unreadable). */
static char state_of(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (slurp(path, buf, sizeof buf) <= 0) return '-';
    char *p = strrchr(buf, ')');
    return p && p[1] && p[2] ? p[2] : '?';
}

/* Field 3 (state) and 4 (ppid) of /proc/<pid>/stat, and the comm. */
static void show_stat(const char *what, pid_t pid) {
    char path[64], buf[1024], comm[64] = "?", state = '?';
    int ppid = -1;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (slurp(path, buf, sizeof buf) <= 0) {
        SAY("%s: no stat", what);
        return;
    }
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    if (open_paren && close_paren) {
        snprintf(comm, sizeof comm, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
        sscanf(close_paren + 2, "%c %d", &state, &ppid);
    }
    SAY("%s: comm=%s state=%c ppid is me=%d", what, comm, state, ppid == getpid());
}

static void status_line(pid_t pid, const char *key) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    slurp(path, buf, sizeof buf);
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
        if (strncmp(l, key, strlen(key)) == 0) SAY("status %s", l);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "child") == 0) {
        char c;
        read(atoi(argv[2]), &c, 1); /* wait for the parent */
        return 0;
    }
    syscall(SYS_alarm, 10);
    int go[2], ready[2];
    EXPECT_OK(pipe(go));
    EXPECT_OK(pipe(ready));
    pid_t pid = fork();
    if (pid == 0) {
        char fdarg[16];
        snprintf(fdarg, sizeof fdarg, "%d", go[0]);
        char *av[] = {"proc-child", "child", fdarg, NULL};
        char *ev[] = {"GREETING=hello", "X=1", NULL};
        close(ready[0]);
        fcntl(ready[1], F_SETFD, FD_CLOEXEC);
        execve("/proc/self/exe", av, ev);
        _exit(127);
    }
    close(ready[1]);
    char c;
    read(ready[0], &c, 1); /* EOF once the child has exec'd */
    /* Then wait (a bounded time) until it is asleep in its read. */
    for (int i = 0; i < 500 && state_of(pid) != 'S'; i++) usleep(10000);
    CHECK(listed(pid));
    show_stat("running child", pid);
    status_line(pid, "State:");
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    int n = slurp(path, buf, sizeof buf);
    for (int i = 0; i < n; i++)
        if (!buf[i]) buf[i] = ' ';
    SAY("cmdline: %d bytes: %s", n, buf);
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    n = slurp(path, buf, sizeof buf);
    for (int i = 0; i < n; i++)
        if (!buf[i]) buf[i] = ' ';
    SAY("environ: %s", buf);
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    slurp(path, buf, sizeof buf);
    SAY("comm file: %s", buf);
    snprintf(path, sizeof path, "/proc/%d/task/%d", pid, pid);
    CHECK(access(path, F_OK) == 0);
    snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, go[0]);
    CHECK(access(path, F_OK) == 0);

    kill(pid, SIGSTOP);
    siginfo_t si;
    waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    show_stat("stopped child", pid);
    kill(pid, SIGCONT);
    write(go[1], "x", 1);
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    show_stat("zombie child", pid);
    status_line(pid, "State:");
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    SAY("zombie cmdline bytes: %d", slurp(path, buf, sizeof buf));
    waitpid(pid, NULL, 0);
    CHECK(!listed(pid));
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    EXPECT_ERR(open(path, O_RDONLY), ENOENT);
    return t_done();
}
