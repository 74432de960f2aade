// syscalls: semget, semop, semctl
#include "harness.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

/* System V semaphores: semctl's commands, atomic operation arrays, IPC_NOWAIT, a semop that
 * blocks until another process posts, GETNCNT/GETZCNT counting the blocked, SEM_UNDO applied
 * when a process exits (and cleared by SETVAL), removal waking a waiter with EIDRM, and
 * argument errors. */
union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int wait_child(pid_t c) {
    int st;
    if (waitpid(c, &st, 0) != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* Polls until `cmd` on semaphore `n` reports `want` (a child has blocked). */
static int wait_count(int id, int n, int cmd, int want) {
    for (int i = 0; i < 2000; i++) {
        if (semctl(id, n, cmd) == want) return 1;
        usleep(1000);
    }
    return 0;
}

int main(void) {
    int id = EXPECT_OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
    struct semid_ds ds;
    EXPECT_OK(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
    EXPECT_EQ(ds.sem_nsems, 3);
    EXPECT_EQ(ds.sem_perm.mode & 0777, 0600);
    EXPECT_EQ(ds.sem_otime, 0);

    /* SETVAL/GETVAL/SETALL/GETALL/GETPID. */
    EXPECT_OK(semctl(id, 1, SETVAL, (union semun){.val = 7}));
    EXPECT_EQ(semctl(id, 1, GETVAL), 7);
    CHECK(semctl(id, 1, GETPID) == getpid());
    unsigned short vals[3] = {1, 2, 3}, got[3];
    EXPECT_OK(semctl(id, 0, SETALL, (union semun){.array = vals}));
    EXPECT_OK(semctl(id, 0, GETALL, (union semun){.array = got}));
    SAY("GETALL: %d %d %d", got[0], got[1], got[2]);
    EXPECT_ERR(semctl(id, 0, SETVAL, (union semun){.val = 32768}), ERANGE);
    EXPECT_ERR(semctl(id, 0, SETVAL, (union semun){.val = -1}), ERANGE);
    EXPECT_ERR(semctl(id, 3, SETVAL, (union semun){.val = 1}), EINVAL);
    EXPECT_ERR(semctl(id, 3, GETVAL), EINVAL);
    EXPECT_ERR(semctl(id, 0, GETALL, (union semun){.array = (void *)8}), EFAULT);

    /* An array is applied as a whole or not at all. */
    struct sembuf two[2] = {{0, -1, 0}, {2, -4, IPC_NOWAIT}};
    EXPECT_ERR(semop(id, two, 2), EAGAIN);
    EXPECT_OK(semctl(id, 0, GETALL, (union semun){.array = got}));
    SAY("after failed array: %d %d %d", got[0], got[1], got[2]);
    struct sembuf ok2[2] = {{0, -1, 0}, {2, -3, 0}};
    EXPECT_OK(semop(id, ok2, 2));
    EXPECT_OK(semctl(id, 0, GETALL, (union semun){.array = got}));
    SAY("after array: %d %d %d", got[0], got[1], got[2]);
    EXPECT_OK(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
    CHECK(ds.sem_otime != 0);
    struct sembuf zero = {0, 0, IPC_NOWAIT};
    EXPECT_OK(semop(id, &zero, 1));
    struct sembuf big = {1, 32767, 0};
    EXPECT_ERR(semop(id, &big, 1), ERANGE);

    /* A child blocks taking semaphore 0 until the parent posts it. */
    pid_t c = fork();
    if (c == 0) {
        struct sembuf take = {0, -2, 0};
        if (semop(id, &take, 1) != 0) _exit(2);
        _exit(semctl(id, 0, GETVAL) == 0 ? 0 : 3);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1));
    EXPECT_EQ(semctl(id, 0, GETZCNT), 0);
    struct sembuf post = {0, 2, 0};
    EXPECT_OK(semop(id, &post, 1));
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_EQ(semctl(id, 0, GETNCNT), 0);

    /* A wait for zero counts in GETZCNT. */
    EXPECT_OK(semctl(id, 1, SETVAL, (union semun){.val = 1}));
    c = fork();
    if (c == 0) {
        struct sembuf z = {1, 0, 0};
        _exit(semop(id, &z, 1) == 0 ? 0 : 2);
    }
    CHECK(wait_count(id, 1, GETZCNT, 1));
    struct sembuf dec = {1, -1, 0};
    EXPECT_OK(semop(id, &dec, 1));
    EXPECT_EQ(wait_child(c), 0);

    /* SEM_UNDO: the child's adjustments are undone when it exits. */
    EXPECT_OK(semctl(id, 2, SETVAL, (union semun){.val = 5}));
    c = fork();
    if (c == 0) {
        struct sembuf u[2] = {{2, -3, SEM_UNDO}, {1, 4, SEM_UNDO}};
        if (semop(id, u, 2) != 0) _exit(2);
        _exit(semctl(id, 2, GETVAL) == 2 && semctl(id, 1, GETVAL) == 4 ? 0 : 3);
    }
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_EQ(semctl(id, 2, GETVAL), 5);
    EXPECT_EQ(semctl(id, 1, GETVAL), 0);
    /* SETVAL clears the adjustment of that semaphore only. */
    c = fork();
    if (c == 0) {
        struct sembuf u[2] = {{2, 2, SEM_UNDO}, {1, 3, SEM_UNDO}};
        if (semop(id, u, 2) != 0) _exit(2);
        if (semctl(id, 2, SETVAL, (union semun){.val = 10}) != 0) _exit(3);
        _exit(0);
    }
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_EQ(semctl(id, 2, GETVAL), 10);
    EXPECT_EQ(semctl(id, 1, GETVAL), 0);

    /* IPC_RMID wakes a blocked waiter with EIDRM. */
    c = fork();
    if (c == 0) {
        struct sembuf take = {0, -1, 0};
        int r = semop(id, &take, 1);
        _exit(r == -1 && errno == EIDRM ? 0 : 2);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1));
    EXPECT_OK(semctl(id, 0, IPC_RMID));
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_ERR(semctl(id, 0, GETVAL), EINVAL);
    EXPECT_ERR(semop(id, &post, 1), EINVAL);

    /* Argument errors. */
    id = EXPECT_OK(semget(IPC_PRIVATE, 2, 0600));
    EXPECT_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL);
    EXPECT_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL);
    EXPECT_ERR(semget(IPC_PRIVATE, 100000, 0600), EINVAL);
    EXPECT_ERR(semop(id, &post, 0), EINVAL);
    struct sembuf many[501];
    for (int i = 0; i < 501; i++) many[i] = (struct sembuf){0, 1, 0};
    EXPECT_ERR(semop(id, many, 501), E2BIG);
    EXPECT_OK(semop(id, many, 500));
    EXPECT_EQ(semctl(id, 0, GETVAL), 500);
    struct sembuf far = {2, 1, 0};
    EXPECT_ERR(semop(id, &far, 1), EFBIG);
    EXPECT_ERR(semop(id, (struct sembuf *)8, 1), EFAULT);
    EXPECT_ERR(semop(-1, &post, 1), EINVAL);
    EXPECT_ERR(semctl(id, 0, 999), EINVAL);
    EXPECT_ERR(semctl(-1, 0, GETVAL), EINVAL);
    key_t key = 0x5c000000 | (getpid() & 0xffffff);
    int k = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(k >= 0);
    EXPECT_ERR(semget(key, 3, 0), EINVAL);
    CHECK(semget(key, 1, 0) == k);
    EXPECT_ERR(semget(key, 1, IPC_CREAT | IPC_EXCL), EEXIST);
    semctl(k, 0, IPC_RMID);
    EXPECT_OK(semctl(id, 0, IPC_RMID));
    return t_done();
}
