// syscalls: process_vm_readv, process_vm_writev, fork, pipe2, mmap, wait4
/* process_vm_readv/writev move bytes between this process and another (a child here) through
 * scattered buffers on both sides, page by page: the transfer stops at the first fault and
 * reports what moved, or EFAULT if nothing did. Writes honour the target's protections.
 * Flags, counts and pids are checked as Linux does. */
#include "harness.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

static char data[3 * 4096] = "child data";
static char *ro;
static char *hole; /* two pages: the second one unmapped */

int main(void) {
    syscall(SYS_alarm, 10);
    long pg = sysconf(_SC_PAGESIZE);
    ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    hole = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole + pg, pg);
    memset(hole, 'h', pg);
    for (int i = 4096; i < (int)sizeof data; i++) data[i] = 'a' + i % 26;
    int ready[2], done[2];
    EXPECT_OK(pipe(ready));
    EXPECT_OK(pipe(done));
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(data, "child data");
        write(ready[1], "r", 1);
        char c;
        read(done[0], &c, 1);
        /* What the parent wrote. */
        printf("child sees: %.20s\n", data + 100);
        fflush(stdout);
        _exit(0);
    }
    strcpy(data, "parent's own copy");
    char c;
    read(ready[0], &c, 1);

    /* Read: one remote buffer into two local ones. */
    char a[4] = {0}, b[8] = {0};
    struct iovec local[2] = {{a, 3}, {b, 7}};
    struct iovec remote[1] = {{data, 10}};
    EXPECT_EQ(process_vm_readv(pid, local, 2, remote, 1, 0), 10);
    SAY("read: %s|%s", a, b);
    /* Across a page boundary, from two remote buffers. */
    char big[600] = {0};
    struct iovec lbig = {big, sizeof big};
    struct iovec r2[2] = {{data + 4096 - 100, 300}, {data + 2 * 4096 - 50, 300}};
    EXPECT_EQ(process_vm_readv(pid, &lbig, 1, r2, 2, 0), 600);
    SAY("spans: %.5s %.5s", big + 100, big + 350);

    /* Write into the child. */
    const char msg[] = "written by parent";
    struct iovec lw = {(void *)msg, sizeof msg};
    struct iovec rw = {data + 100, sizeof msg};
    EXPECT_EQ(process_vm_writev(pid, &lw, 1, &rw, 1, 0), (long)sizeof msg);

    /* Partial and failed transfers. */
    struct iovec rh = {hole + pg - 10, 20};
    char tail[20];
    struct iovec lt = {tail, sizeof tail};
    EXPECT_EQ(process_vm_readv(pid, &lt, 1, &rh, 1, 0), 10);
    struct iovec rbad = {hole + pg, 10};
    EXPECT_ERR(process_vm_readv(pid, &lt, 1, &rbad, 1, 0), EFAULT);
    struct iovec rro = {ro, 4};
    EXPECT_ERR(process_vm_writev(pid, &lw, 1, &rro, 1, 0), EFAULT);
    struct iovec lbad = {(void *)8, 4};
    EXPECT_ERR(process_vm_readv(pid, &lbad, 1, remote, 1, 0), EFAULT);
    /* Nothing to move is 0, even with bad remote buffers. */
    struct iovec lzero = {a, 0};
    EXPECT_EQ(process_vm_readv(pid, &lzero, 1, &rbad, 1, 0), 0);
    struct iovec rzero = {NULL, 0};
    EXPECT_EQ(process_vm_readv(pid, local, 2, &rzero, 1, 0), 0);
    /* Argument errors. */
    EXPECT_ERR(process_vm_readv(pid, local, 2, remote, 1, 1), EINVAL);
    EXPECT_ERR(process_vm_readv(pid, local, 2000, remote, 1, 0), EINVAL);
    EXPECT_ERR(process_vm_readv(pid, local, 2, remote, 2000, 0), EINVAL);
    EXPECT_ERR(process_vm_readv(pid, local, 2, (struct iovec *)8, 1, 0), EFAULT);
    EXPECT_ERR(process_vm_readv(999999, local, 2, remote, 1, 0), ESRCH);
    /* Ourselves. */
    char self[8] = {0};
    struct iovec ls = {self, 7};
    struct iovec rs = {data, 7};
    EXPECT_EQ(process_vm_readv(getpid(), &ls, 1, &rs, 1, 0), 7);
    SAY("self: %s", self);

    write(done[1], "d", 1);
    int status;
    waitpid(pid, &status, 0);
    SAY("child exit: %d", WEXITSTATUS(status));
    EXPECT_ERR(process_vm_readv(pid, local, 2, remote, 1, 0), ESRCH);
    return t_done();
}
