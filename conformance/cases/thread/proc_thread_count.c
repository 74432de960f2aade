// syscalls: openat, read, getdents64, clone
// timeout: 10
/* /proc shows a process's threads: the Threads: line of /proc/self/status counts the live
 * threads, /proc/self/task has one directory per thread (named by tid, the main thread's
 * named by the pid), and both drop back to one after the threads are joined. */
#include "harness.h"
#include <dirent.h>
#include <pthread.h>

#define N 3
static volatile int stop;
static volatile pid_t tids[N];

static void *fn(void *arg) {
    tids[(long)arg] = syscall(SYS_gettid);
    while (!stop) usleep(1000);
    return NULL;
}

static int status_threads(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1) break;
    fclose(f);
    return n;
}

/* Entries of /proc/self/task; *has is a bitmask: bit 0 the pid, bit i+1 tids[i]. */
static int task_entries(int *has) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    *has = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        n++;
        pid_t id = atoi(e->d_name);
        if (id == getpid()) *has |= 1;
        for (int i = 0; i < N; i++)
            if (id == tids[i]) *has |= 2 << i;
    }
    closedir(d);
    return n;
}

int main(void) {
    alarm(5);
    int has;
    EXPECT_EQ(status_threads(), 1);
    EXPECT_EQ(task_entries(&has), 1);
    EXPECT_EQ(has, 1);
    pthread_t t[N];
    for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, fn, (void *)i);
    for (int i = 0; i < N; i++)
        while (!tids[i]) usleep(1000);
    EXPECT_EQ(status_threads(), N + 1);
    EXPECT_EQ(task_entries(&has), N + 1);
    EXPECT_EQ(has, (2 << N) - 1);
    stop = 1;
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    EXPECT_EQ(status_threads(), 1);
    EXPECT_EQ(task_entries(&has), 1);
    return t_done();
}
