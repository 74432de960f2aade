// syscalls: msgget, msgsnd, msgrcv, msgctl
#include "harness.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

/* System V message queues: typed receive (0, >0, <0, MSG_EXCEPT), MSG_NOERROR and E2BIG,
 * MSG_COPY, IPC_NOWAIT, a sender blocked on a full queue until a receive makes room, the
 * queue's counters, and removal waking a blocked receiver with EIDRM. */
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m {
    long type;
    char text[64];
};

static int snd(int q, long type, const char *s) {
    struct m b = {type, {0}};
    strcpy(b.text, s);
    return msgsnd(q, &b, strlen(s) + 1, IPC_NOWAIT);
}

static void rcv(int q, long type, int flags) {
    struct m b = {0, {0}};
    long n = msgrcv(q, &b, sizeof b.text, type, flags | IPC_NOWAIT);
    if (n < 0) SAY("msgrcv(%ld, %#o) -> %s", type, flags, t_errname(errno));
    else SAY("msgrcv(%ld, %#o) = %ld: type %ld \"%s\"", type, flags, n, b.type, b.text);
}

static int wait_child(pid_t c) {
    int st;
    if (waitpid(c, &st, 0) != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

int main(void) {
    int q = EXPECT_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    EXPECT_OK(snd(q, 5, "five"));
    EXPECT_OK(snd(q, 3, "three"));
    EXPECT_OK(snd(q, 7, "seven"));
    EXPECT_OK(snd(q, 3, "three again"));
    EXPECT_OK(snd(q, 1, "one"));
    struct msqid_ds ds;
    EXPECT_OK(msgctl(q, IPC_STAT, &ds));
    EXPECT_EQ(ds.msg_qnum, 5);
    EXPECT_EQ(ds.__msg_cbytes, 5 + 6 + 6 + 12 + 4);
    EXPECT_EQ(ds.msg_qbytes, 16384);
    CHECK(ds.msg_lspid == getpid());

    /* MSG_COPY leaves the message queued. */
    rcv(q, 2, MSG_COPY);
    rcv(q, 9, MSG_COPY);
    {
        struct m b;
        EXPECT_ERR(msgrcv(q, &b, sizeof b.text, 0, MSG_COPY), EINVAL);
        EXPECT_ERR(msgrcv(q, &b, sizeof b.text, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL);
    }
    rcv(q, 3, 0);
    rcv(q, 5, MSG_EXCEPT);
    rcv(q, -4, 0);
    rcv(q, -4, 0);
    rcv(q, 9, 0);
    /* Too long without MSG_NOERROR: E2BIG, and the message stays. */
    EXPECT_OK(snd(q, 2, "a rather long message"));
    {
        struct m b = {0, {0}};
        EXPECT_ERR(msgrcv(q, &b, 4, 2, IPC_NOWAIT), E2BIG);
        EXPECT_EQ(msgrcv(q, &b, 4, 2, IPC_NOWAIT | MSG_NOERROR), 4);
        SAY("truncated: %.4s", b.text);
    }
    rcv(q, 0, 0);
    rcv(q, 0, 0);
    EXPECT_OK(msgctl(q, IPC_STAT, &ds));
    EXPECT_EQ(ds.msg_qnum, 0);
    EXPECT_EQ(ds.__msg_cbytes, 0);
    CHECK(ds.msg_lrpid == getpid());

    /* A full queue: IPC_NOWAIT fails, a blocking sender waits for a receive. */
    static struct { long type; char text[8192]; } big = {1, {0}};
    EXPECT_OK(msgsnd(q, &big, 8192, 0));
    EXPECT_OK(msgsnd(q, &big, 8192, 0));
    EXPECT_ERR(msgsnd(q, &big, 1, IPC_NOWAIT), EAGAIN);
    EXPECT_ERR(msgsnd(q, &big, 8193, 0), EINVAL);
    pid_t c = fork();
    if (c == 0) _exit(msgsnd(q, &big, 100, 0) == 0 ? 0 : 2);
    usleep(50000);
    EXPECT_OK(msgctl(q, IPC_STAT, &ds));
    EXPECT_EQ(ds.msg_qnum, 2);
    EXPECT_EQ(msgrcv(q, &big, 8192, 0, 0), 8192);
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_OK(msgctl(q, IPC_STAT, &ds));
    EXPECT_EQ(ds.msg_qnum, 2);
    EXPECT_EQ(ds.__msg_cbytes, 8292);
    /* IPC_SET may lower the byte limit. */
    ds.msg_qbytes = 100;
    EXPECT_OK(msgctl(q, IPC_SET, &ds));
    EXPECT_OK(msgctl(q, IPC_STAT, &ds));
    EXPECT_EQ(ds.msg_qbytes, 100);
    EXPECT_ERR(msgsnd(q, &big, 1, IPC_NOWAIT), EAGAIN);

    /* Removal wakes a receiver waiting for a type that never comes. Nothing reports a
     * blocked receiver, so the child says it is about to block and the parent gives it time. */
    int ready[2];
    if (pipe(ready)) return 1;
    c = fork();
    if (c == 0) {
        struct m b;
        char x = 1;
        write(ready[1], &x, 1);
        long r = msgrcv(q, &b, sizeof b.text, 42, 0);
        _exit(r == -1 && errno == EIDRM ? 0 : 2);
    }
    char x;
    EXPECT_EQ(read(ready[0], &x, 1), 1);
    usleep(200000);
    EXPECT_OK(msgctl(q, IPC_RMID, NULL));
    EXPECT_EQ(wait_child(c), 0);
    EXPECT_ERR(msgctl(q, IPC_STAT, &ds), EINVAL);

    /* Argument errors. */
    q = EXPECT_OK(msgget(IPC_PRIVATE, 0600));
    {
        struct m b = {0, "x"};
        EXPECT_ERR(msgsnd(q, &b, 2, 0), EINVAL);
        b.type = 1;
        EXPECT_ERR(msgsnd(-1, &b, 2, 0), EINVAL);
        EXPECT_ERR(msgsnd(q, (void *)8, 2, 0), EFAULT);
        EXPECT_ERR(msgrcv(q, &b, 2, 0, IPC_NOWAIT), ENOMSG);
        EXPECT_ERR(msgrcv(q, &b, (size_t)-1, 0, IPC_NOWAIT), EINVAL);
        EXPECT_ERR(msgctl(q, 999, &ds), EINVAL);
        EXPECT_ERR(msgctl(q, IPC_STAT, (void *)8), EFAULT);
    }
    key_t key = 0x5d000000 | (getpid() & 0xffffff);
    int k = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(k >= 0);
    CHECK(msgget(key, 0) == k);
    EXPECT_ERR(msgget(key, IPC_CREAT | IPC_EXCL), EEXIST);
    msgctl(k, IPC_RMID, NULL);
    EXPECT_ERR(msgget(key, 0), ENOENT);
    EXPECT_OK(msgctl(q, IPC_RMID, NULL));
    return t_done();
}
