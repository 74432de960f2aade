// syscalls: clone, fork, mmap, pipe, pipe2, read, write, wait4
/* After fork, private memory (data, heap, stack, MAP_PRIVATE) is copy-on-write: the child's
 * writes are invisible to the parent; MAP_SHARED|MAP_ANONYMOUS memory is shared. */
#include "harness.h"
#include <sys/mman.h>
#include <sys/wait.h>

static int global_var = 1;

int main(void) {
    syscall(SYS_alarm, 5);
    int stack_var = 2;
    int *heap = malloc(64 * 1024);
    heap[0] = 3;
    heap[16000] = 33;
    int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (priv == MAP_FAILED || shared == MAP_FAILED) return T_FAIL("mmap"), t_done();
    priv[0] = 4;
    shared[0] = 5;
    int p[2];
    if (pipe(p) != 0) return T_FAIL("pipe"), t_done();
    pid_t pid = fork();
    if (pid == 0) {
        /* The child sees the parent's values at fork time, then overwrites them. */
        int seen[6] = {global_var, stack_var, heap[0], heap[16000], priv[0], shared[0]};
        global_var = 10;
        stack_var = 20;
        heap[0] = 30;
        heap[16000] = 330;
        priv[0] = 40;
        shared[0] = 50;
        write(p[1], seen, sizeof seen);
        _exit(0);
    }
    int seen[6] = {0};
    EXPECT_EQ(read(p[0], seen, sizeof seen), sizeof seen);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    SAY("child saw: %d %d %d %d %d %d", seen[0], seen[1], seen[2], seen[3], seen[4], seen[5]);
    SAY("parent after child wrote: global=%d stack=%d heap=%d,%d private=%d shared=%d", global_var,
        stack_var, heap[0], heap[16000], priv[0], shared[0]);
    CHECK(global_var == 1 && stack_var == 2 && heap[0] == 3 && heap[16000] == 33 && priv[0] == 4);
    CHECK(shared[0] == 50);
    return t_done();
}
