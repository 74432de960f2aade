// syscalls: openat, ftruncate, mmap, clone, pwrite64, pread64, wait4, munmap, unlink
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* A file on the /dev/shm tmpfs mapped MAP_SHARED: the mapping, read/write, a forked child's
 * mapping and a mapping the child makes itself are all one view, with no msync; truncation
 * cuts and regrows with zeros. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char name[64];
    snprintf(name, sizeof name, "/dev/shm/sbx-coherent-%d", (int)getpid());
    int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, pg), 0);
    char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(a != MAP_FAILED)) return t_done();
    EXPECT_EQ(pwrite(fd, "written", 7, 0), 7);
    SAY("mapping sees write: %.7s", a);
    strcpy(a + 50, "stored");
    char buf[16] = {0};
    EXPECT_EQ(pread(fd, buf, 6, 50), 6);
    SAY("read sees store: %s", buf);
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(a + 100, "child-inherited");
        int own = open(name, O_RDWR);
        char *b = own < 0 ? MAP_FAILED : mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
        if (b == MAP_FAILED) _exit(2);
        strcpy(b + 200, "child-own");
        _exit(strcmp(b + 50, "stored") == 0 ? 0 : 3);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    SAY("parent sees: %s / %s", a + 100, a + 200);
    EXPECT_EQ(ftruncate(fd, 60), 0);
    EXPECT_EQ(ftruncate(fd, pg), 0);
    SAY("after shrink and growth: [%s] [%d]", a + 50, a[100]);
    memset(buf, 1, sizeof buf);
    EXPECT_EQ(pread(fd, buf, 4, 100), 4);
    SAY("read after regrowth: %d %d", buf[0], buf[3]);
    EXPECT_EQ(munmap(a, pg), 0);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(fd, buf, 7, 0), 7);
    SAY("file after munmap: %s", buf);
    EXPECT_EQ(unlink(name), 0);
    close(fd);
    return t_done();
}
