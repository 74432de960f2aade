// syscalls: futex, mmap, munmap
/* futex argument errors: an unknown command is ENOSYS; a word address that is not 4-byte
 * aligned is EINVAL; a wait on an unmapped or NULL word is EFAULT; a shared-futex operation
 * on an unmapped word is EFAULT while a private wake there (which never reads the word)
 * finds no waiters; a wait on a read-only word works (it only reads), FUTEX_WAKE_OP on a
 * read-only second word is EFAULT; a kernel address is EFAULT. */
#include "harness.h"
#include <stdint.h>
#include <sys/mman.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAKE_OP 5
#define FUTEX_PRIVATE_FLAG 128

static long futex(void *uaddr, int op, uint32_t val, void *timeout, void *uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

int main(void) {
    alarm(10);
    static uint32_t words[4] = {1, 2, 3, 4};
    EXPECT_ERR(futex(&words[0], 99, 0, NULL, NULL, 0), ENOSYS);
    EXPECT_ERR(futex(&words[0], 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), ENOSYS);
    EXPECT_ERR(futex(&words[0], 14, 0, NULL, NULL, 0), ENOSYS);
    char *misaligned = (char *)&words[1] + 1;
    EXPECT_ERR(futex(misaligned, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex(misaligned, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex(misaligned, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex((char *)&words[1] + 2, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), EINVAL);

    char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    EXPECT_ERR(futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    EXPECT_ERR(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    EXPECT_ERR(futex(gone, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), EFAULT);
    EXPECT_ERR(futex(gone, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    EXPECT_EQ(futex(gone, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0), 0);
    EXPECT_ERR(futex((void *)0xffff800000000000UL, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0),
               EFAULT);
    EXPECT_ERR(futex((void *)0xffff800000000000UL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);

    uint32_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_ERR(futex(ro, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0), EAGAIN);
    EXPECT_EQ(futex(ro, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0), 0);
    EXPECT_ERR(futex(&words[0], FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, ro, 0), EFAULT);
    EXPECT_ERR(futex(&words[0], FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, gone, 0), EFAULT);
    return t_done();
}
