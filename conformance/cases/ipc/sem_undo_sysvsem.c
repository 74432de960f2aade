// syscalls: semget, semop, semctl, clone, unshare
#include "harness.h"
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

/* SEM_UNDO lists: a child cloned with CLONE_SYSVSEM shares its parent's list, so its exit
 * undoes nothing until the parent exits too; a plain fork child starts with an empty list;
 * unshare(CLONE_SYSVSEM) applies the caller's adjustments at once, as an exit would. */
static int wait_child(pid_t c) {
    int st;
    if (waitpid(c, &st, 0) != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static int add(int id, int n, int v) {
    struct sembuf op = {n, v, SEM_UNDO};
    return semop(id, &op, 1);
}

int main(void) {
    int id = EXPECT_OK(semget(IPC_PRIVATE, 2, 0600));
    int go[2], done[2];
    if (pipe(go) || pipe(done)) return 1;
    pid_t b = fork();
    if (b == 0) {
        if (add(id, 0, 3)) _exit(2);
        /* C shares B's undo list: its +4 stays when it exits. */
        long c = syscall(SYS_clone, CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0);
        if (c == 0) _exit(add(id, 0, 4) ? 2 : 0);
        if (wait_child(c) != 0) _exit(3);
        /* A plain fork child has its own list: its +5 goes with it. */
        pid_t d = fork();
        if (d == 0) _exit(add(id, 1, 5) ? 2 : 0);
        if (wait_child(d) != 0) _exit(4);
        char x = 1;
        write(done[1], &x, 1);
        read(go[0], &x, 1);
        _exit(0);
    }
    char x;
    EXPECT_EQ(read(done[0], &x, 1), 1);
    EXPECT_EQ(semctl(id, 0, GETVAL), 7);
    EXPECT_EQ(semctl(id, 1, GETVAL), 0);
    EXPECT_EQ(write(go[1], &x, 1), 1);
    EXPECT_EQ(wait_child(b), 0);
    /* B was the list's last user: both adjustments are undone. */
    EXPECT_EQ(semctl(id, 0, GETVAL), 0);

    /* unshare(CLONE_SYSVSEM) applies the adjustments now. */
    EXPECT_OK(add(id, 1, 6));
    EXPECT_EQ(semctl(id, 1, GETVAL), 6);
    EXPECT_OK(unshare(CLONE_SYSVSEM));
    EXPECT_EQ(semctl(id, 1, GETVAL), 0);
    /* A new list starts afterwards. */
    EXPECT_OK(add(id, 1, 2));
    EXPECT_EQ(semctl(id, 1, GETVAL), 2);
    EXPECT_OK(unshare(CLONE_SYSVSEM));
    EXPECT_EQ(semctl(id, 1, GETVAL), 0);
    EXPECT_OK(semctl(id, 0, IPC_RMID));
    return t_done();
}
