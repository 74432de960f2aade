// syscalls: uname
#include "harness.h"
#include <limits.h>
#include <sys/utsname.h>

/* gethostname is the uname node name, NUL terminated.
 * (Nothing here sets the host name: natively that would change the host's.) */
int main(void) {
    struct utsname u;
    char h[HOST_NAME_MAX + 1];
    EXPECT_EQ(uname(&u), 0);
    EXPECT_EQ(gethostname(h, sizeof h), 0);
    CHECK(strcmp(h, u.nodename) == 0);
    CHECK(strlen(h) > 0);
    return t_done();
}
