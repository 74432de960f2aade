// syscalls: prctl
#include "harness.h"
#include <sys/prctl.h>

/* PR_SET_NAME/PR_GET_NAME: the name round-trips and is cut to 15 bytes. */
int main(void) {
    char name[32];
    memset(name, 'x', sizeof name);
    EXPECT_EQ(prctl(PR_GET_NAME, name), 0);
    CHECK(strlen(name) > 0 && strlen(name) <= 15);
    EXPECT_EQ(prctl(PR_SET_NAME, "worker"), 0);
    EXPECT_EQ(prctl(PR_GET_NAME, name), 0);
    SAY("name = %s", name);
    EXPECT_EQ(prctl(PR_SET_NAME, "a-very-long-thread-name"), 0);
    memset(name, 'x', sizeof name);
    EXPECT_EQ(prctl(PR_GET_NAME, name), 0);
    SAY("long name = %s", name);
    EXPECT_EQ(prctl(PR_SET_NAME, ""), 0);
    EXPECT_EQ(prctl(PR_GET_NAME, name), 0);
    SAY("empty name length = %zu", strlen(name));
    EXPECT_ERR(prctl(PR_SET_NAME, (void *)8), EFAULT);
    EXPECT_ERR(prctl(PR_GET_NAME, (void *)8), EFAULT);
    return t_done();
}
