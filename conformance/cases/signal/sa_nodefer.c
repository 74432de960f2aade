// syscalls: rt_sigaction, kill, rt_sigreturn, rt_sigprocmask
/* A signal raised inside its own handler: without SA_NODEFER it stays pending until the
 * handler returns (no nesting); with SA_NODEFER the handler is re-entered at once. */
#include "harness.h"
#include <signal.h>

static volatile int depth, max_depth, calls;
static int trace[8], ntrace;

static void on_usr1(int s) {
    (void)s;
    depth++;
    calls++;
    if (depth > max_depth) max_depth = depth;
    if (ntrace < 8) trace[ntrace++] = depth;
    if (calls == 1) kill(getpid(), SIGUSR1);
    if (ntrace < 8) trace[ntrace++] = -depth;
    depth--;
}

static void run(int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
    depth = max_depth = calls = ntrace = 0;
    kill(getpid(), SIGUSR1);
    printf("%s: calls=%d max_depth=%d trace:", flags ? "SA_NODEFER" : "default", calls,
           max_depth);
    for (int i = 0; i < ntrace; i++) printf(" %d", trace[i]);
    printf("\n");
}

int main(void) {
    run(0);
    CHECK(max_depth == 1 && calls == 2);
    run(SA_NODEFER);
    CHECK(max_depth == 2 && calls == 2);
    return t_done();
}
