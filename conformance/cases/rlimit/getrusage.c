// syscalls: getrusage
#include "harness.h"
#include <sys/resource.h>

/* getrusage: own usage has valid times and a non-zero peak RSS; a process without children
 * reports zero for them; unknown "who" is EINVAL. */
int main(void) {
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    EXPECT_EQ(syscall(SYS_getrusage, RUSAGE_SELF, &ru), 0);
    CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    CHECK(ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
    CHECK(ru.ru_maxrss > 0);
    CHECK(ru.ru_utime.tv_sec < 5 && ru.ru_stime.tv_sec < 5);
    EXPECT_EQ(syscall(SYS_getrusage, RUSAGE_THREAD, &ru), 0);
    CHECK(ru.ru_maxrss > 0);
    EXPECT_EQ(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru), 0);
    SAY("children: utime %ld.%06ld maxrss %ld", (long)ru.ru_utime.tv_sec,
        (long)ru.ru_utime.tv_usec, ru.ru_maxrss);
    EXPECT_ERR(syscall(SYS_getrusage, 5, &ru), EINVAL);
    EXPECT_ERR(syscall(SYS_getrusage, RUSAGE_SELF, (void *)8), EFAULT);
    return t_done();
}
