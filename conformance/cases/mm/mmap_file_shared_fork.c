// syscalls: openat, ftruncate, mmap, clone, pipe2, read, write, pread64, wait4, munmap
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* Two processes share a MAP_SHARED file mapping, inherited across fork or made on their own
 * with a separate open and mmap: each sees the other's stores while both run, with no msync
 * (the processes take turns over pipes). */
static void step(int fd) {
    char c;
    if (read(fd, &c, 1) != 1) _exit(9);
}

static void go(int fd) {
    if (write(fd, "x", 1) != 1) _exit(9);
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(m != MAP_FAILED)) return t_done();
    int to_child[2], to_parent[2];
    if (!CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0)) return t_done();
    pid_t pid = fork();
    if (pid == 0) {
        /* Its own descriptor and mapping of the same file. */
        int own = open("f", O_RDWR);
        char *n = own < 0 ? MAP_FAILED : mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
        if (n == MAP_FAILED) _exit(2);
        step(to_child[0]);
        /* The parent stored "parent" before waking us: both views have it. */
        int ok = strcmp(m, "parent") == 0 && strcmp(n, "parent") == 0;
        strcpy(m + 100, "child-inherited");
        strcpy(n + pg + 8, "child-own");
        go(to_parent[1]);
        step(to_child[0]);
        ok = ok && strcmp(n + 200, "parent-again") == 0;
        munmap(n, 2 * pg);
        close(own);
        _exit(ok ? 0 : 3);
    }
    strcpy(m, "parent");
    go(to_child[1]);
    step(to_parent[0]);
    SAY("inherited mapping sees child's store: %s", m + 100);
    SAY("and the child's own mapping's store: %s", m + pg + 8);
    /* A mapping the parent makes now is the same memory. */
    char *o = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
    if (!CHECK(o != MAP_FAILED)) return t_done();
    SAY("new mapping of page 1: %s", o + 8);
    strcpy(m + 200, "parent-again");
    go(to_child[1]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    char buf[16] = {0};
    EXPECT_EQ(pread(fd, buf, 9, pg + 8), 9);
    SAY("read sees: %s", buf);
    EXPECT_EQ(munmap(o, pg), 0);
    EXPECT_EQ(munmap(m, 2 * pg), 0);
    /* With every mapping gone the file holds the stores. */
    int again = open("f", O_RDONLY);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(again, buf, 15, 100), 15);
    SAY("file after last munmap: %s", buf);
    EXPECT_EQ(lseek(again, 0, SEEK_END), 2 * pg);
    close(again);
    close(fd);
    return t_done();
}
