// syscalls: mmap, mprotect, munmap, openat, read
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* mprotect argument errors. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    /* (The raw call: musl's wrapper rounds the address down itself.) */
    EXPECT_ERR(syscall(SYS_mprotect, p + 1, pg, PROT_READ), EINVAL);
    EXPECT_ERR(mprotect(p, pg, 0x40), EINVAL);
    /* A length of zero is a no-op. */
    EXPECT_EQ(mprotect(p, 0, PROT_READ), 0);
    /* A hole in the range is ENOMEM; as in Linux, the mappings before the hole have already
     * been changed by then, those after it have not. */
    int zero = open("/dev/zero", O_RDONLY);
    EXPECT_EQ(munmap(p + pg, pg), 0);
    EXPECT_ERR(mprotect(p, 3 * pg, PROT_READ), ENOMEM);
    EXPECT_ERR(read(zero, p, 1), EFAULT);
    EXPECT_EQ(read(zero, p + 2 * pg, 1), 1);
    /* A range starting in a hole changes nothing. */
    EXPECT_ERR(mprotect(p + pg, 2 * pg, PROT_READ), ENOMEM);
    EXPECT_EQ(read(zero, p + 2 * pg, 1), 1);
    /* The length is rounded up. */
    EXPECT_EQ(mprotect(p + 2 * pg, 1, PROT_READ), 0);
    EXPECT_ERR(read(zero, p + 2 * pg, 1), EFAULT);
    EXPECT_EQ(munmap(p, 3 * pg), 0);
    EXPECT_ERR(mprotect(p, pg, PROT_READ), ENOMEM);
    return t_done();
}
