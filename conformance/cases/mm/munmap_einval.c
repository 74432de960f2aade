// syscalls: mmap, munmap
#include "harness.h"
#include <sys/mman.h>

/* munmap argument errors. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    EXPECT_ERR(syscall(SYS_munmap, p + 1, pg), EINVAL);
    EXPECT_ERR(syscall(SYS_munmap, p, 0), EINVAL);
    /* Reaching past the top of user space. */
    EXPECT_ERR(syscall(SYS_munmap, 0x7ffffffff000UL, 0x2000), EINVAL);
    EXPECT_ERR(syscall(SYS_munmap, p, -4096UL), EINVAL);
    p[0] = 1;
    SAY("mapping intact: %d", p[0]);
    EXPECT_EQ(syscall(SYS_munmap, p, 2 * pg), 0);
    return t_done();
}
