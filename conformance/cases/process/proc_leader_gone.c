// syscalls: exit, clone, openat, read, getdents64, wait4
/* After a process's leader thread exits on its own (raw exit, not exit_group) while another
 * thread runs on, /proc/<pid> shows the zombie leader: state Z, no command line, no
 * descriptors, while /proc/<pid>/task still lists the live thread with its own state. The
 * process's directory goes once the last thread exits and the process is reaped. */
#include "harness.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>

static int report, go;

static void *survivor(void *arg) {
    (void)arg;
    pid_t tid = gettid();
    write(report, &tid, sizeof tid);
    char c;
    read(go, &c, 1);
    syscall(SYS_exit, 0);
    return NULL;
}

static int slurp(const char *path, char *buf, int cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = 0, r;
    while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

static char state_of(const char *path) {
    char buf[1024];
    if (slurp(path, buf, sizeof buf) <= 0) return '-';
    char *p = strrchr(buf, ')');
    return p && p[1] && p[2] ? p[2] : '?';
}

static int count_entries(const char *path) {
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int main(void) {
    syscall(SYS_alarm, 10);
    int r[2], g[2];
    EXPECT_OK(pipe(r));
    EXPECT_OK(pipe(g));
    pid_t pid = fork();
    if (pid == 0) {
        report = r[1];
        go = g[0];
        pthread_t t;
        pthread_create(&t, NULL, survivor, NULL);
        syscall(SYS_exit, 0); /* the leader leaves; the survivor keeps the process */
    }
    pid_t tid = 0;
    EXPECT_EQ(read(r[0], &tid, sizeof tid), (long)sizeof tid);
    char path[96], buf[256];
    /* Wait until the leader is gone (its state turns Z). */
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 200 && state_of(path) != 'Z'; i++) usleep(10000);
    SAY("process state: %c", state_of(path));
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    SAY("cmdline bytes: %d", slurp(path, buf, sizeof buf));
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    SAY("fd entries: %d", count_entries(path));
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    SAY("task entries: %d", count_entries(path));
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    char s = state_of(path);
    SAY("survivor state is S or R: %d", s == 'S' || s == 'R');
    write(g[1], "x", 1);
    int status = -1;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    SAY("exited=%d code=%d", WIFEXITED(status), WEXITSTATUS(status));
    snprintf(path, sizeof path, "/proc/%d", pid);
    EXPECT_ERR(open(path, O_RDONLY | O_DIRECTORY), ENOENT);
    return t_done();
}
