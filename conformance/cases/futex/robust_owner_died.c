// syscalls: futex, set_robust_list, clone, fork, mmap, wait4, exit
/* Robust futexes: when a thread dies while its robust list holds a lock word that carries its
 * tid, the kernel rewrites the word to FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and wakes one
 * waiter. Checked for a thread of this process (with this thread waiting on the word), for a
 * child process on MAP_SHARED memory, and for the list_op_pending slot (a lock being taken
 * when the owner died). A word whose tid is not the dying thread's is left alone. */
#include "harness.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

struct robust_list { struct robust_list *next; };
struct robust_list_head {
    struct robust_list list;
    long futex_offset;
    struct robust_list *list_op_pending;
};
/* A lock as a libc would lay it out: list link, then the word. */
struct lock {
    struct robust_list link;
    uint32_t word;
};

/* Registers a list with `held` linked (if any) and `pending` in list_op_pending, then
 * takes the words by storing the caller's tid. */
static void own(struct robust_list_head *h, struct lock *held, struct lock *pending,
                struct lock *foreign) {
    uint32_t tid = syscall(SYS_gettid);
    h->futex_offset = offsetof(struct lock, word) - offsetof(struct lock, link);
    h->list.next = &h->list;
    if (held) {
        held->word = tid;
        held->link.next = &h->list;
        h->list.next = &held->link;
    }
    if (foreign) {
        /* Linked, but the word names someone else. */
        foreign->word = 1;
        foreign->link.next = h->list.next;
        h->list.next = &foreign->link;
    }
    h->list_op_pending = NULL;
    if (pending) {
        pending->word = tid;
        h->list_op_pending = &pending->link;
    }
    syscall(SYS_set_robust_list, h, sizeof *h);
}

static struct robust_list_head thead;
static struct lock tlock, tforeign;
static volatile int owned;

static void *dies_holding(void *arg) {
    (void)arg;
    own(&thead, &tlock, NULL, &tforeign);
    owned = 1;
    usleep(150000); /* let main start waiting */
    syscall(SYS_exit, 0);
    return NULL;
}

int main(void) {
    alarm(10);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, NULL);
    while (!owned) usleep(1000);
    /* Mark the lock contended and wait, as a mutex would. */
    uint32_t v = __atomic_or_fetch(&tlock.word, FUTEX_WAITERS, __ATOMIC_SEQ_CST);
    long r = syscall(SYS_futex, &tlock.word, FUTEX_WAIT, v, NULL, NULL, 0);
    SAY("waiter returned: %s", r == 0 ? "woken" : t_errname(errno));
    EXPECT_EQ(tlock.word, FUTEX_WAITERS | FUTEX_OWNER_DIED);
    EXPECT_EQ(tforeign.word, 1);

    struct shared {
        struct robust_list_head head;
        struct lock held, pending;
    } *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid = fork();
    if (pid == 0) {
        own(&sh->head, &sh->held, &sh->pending, NULL);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    EXPECT_EQ(sh->held.word, FUTEX_OWNER_DIED);
    EXPECT_EQ(sh->pending.word, FUTEX_OWNER_DIED);
    return t_done();
}
