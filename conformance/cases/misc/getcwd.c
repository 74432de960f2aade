// syscalls: getcwd, mkdir, chdir
#include "harness.h"
#include <sys/stat.h>

/* The raw getcwd returns the length including the NUL; the path is absolute and follows
 * chdir; a buffer too small is ERANGE. */
int main(void) {
    char a[4096], b[4096];
    long la = syscall(SYS_getcwd, a, sizeof a);
    CHECK(la > 1 && a[0] == '/' && (long)strlen(a) + 1 == la);
    EXPECT_EQ(mkdir("sub", 0755), 0);
    EXPECT_EQ(chdir("sub"), 0);
    long lb = syscall(SYS_getcwd, b, sizeof b);
    EXPECT_EQ(lb - la, 4);
    CHECK(strncmp(a, b, la - 1) == 0 && strcmp(b + la - 1, "/sub") == 0);
    EXPECT_ERR(syscall(SYS_getcwd, b, lb - 1), ERANGE);
    EXPECT_ERR(syscall(SYS_getcwd, b, 0), ERANGE);
    EXPECT_ERR(syscall(SYS_getcwd, (void *)8, sizeof b), EFAULT);
    EXPECT_EQ(chdir(".."), 0);
    CHECK(syscall(SYS_getcwd, b, sizeof b) == la);
    CHECK(strcmp(a, b) == 0);
    EXPECT_EQ(chdir("/"), 0);
    EXPECT_EQ(syscall(SYS_getcwd, b, sizeof b), 2);
    SAY("root: %s", b);
    return t_done();
}
