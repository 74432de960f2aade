// syscalls: time
#include "harness.h"
#include <time.h>

/* time() returns the seconds and stores them when given a pointer. */
int main(void) {
    time_t t = 0;
    long a = syscall(SYS_time, &t);
    long b = syscall(SYS_time, NULL);
    CHECK(a > 1600000000);
    CHECK(t == a);
    CHECK(b >= a && b - a <= 1);
    EXPECT_ERR(syscall(SYS_time, (void *)8), EFAULT);
    return t_done();
}
