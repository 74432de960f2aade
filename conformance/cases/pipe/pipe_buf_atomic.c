// syscalls: pipe2, fork, write, read, wait4, close
/* Writes of at most PIPE_BUF (4096) bytes are atomic: four children write records of
 * different sizes (4096, 4000, 1000, 1 bytes, each filled with the writer's id byte) to one
 * pipe at once, through blocking writes that often have to wait for room; the reader sees the
 * stream as whole records, never interleaved. */
#include "harness.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>

#define WRITERS 4
#define RECORDS 300
static const int size_of[WRITERS] = {4096, 4000, 1000, 1};

static unsigned char stream[WRITERS * RECORDS * 4096];

int main(void) {
    alarm(20);
    SAY("PIPE_BUF = %d", PIPE_BUF);
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    for (int w = 0; w < WRITERS; w++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            unsigned char rec[4096];
            memset(rec, 'A' + w, sizeof rec);
            for (int i = 0; i < RECORDS; i++)
                if (write(p[1], rec, size_of[w]) != size_of[w]) _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    /* Read everything in odd-sized chunks, then parse. */
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], stream + len, 777)) > 0) len += n;
    long want = 0;
    for (int w = 0; w < WRITERS; w++) want += (long)size_of[w] * RECORDS;
    EXPECT_EQ(len, want);
    int count[WRITERS] = {0}, torn = 0;
    for (size_t off = 0; off < len;) {
        int w = stream[off] - 'A';
        if (w < 0 || w >= WRITERS || off + size_of[w] > len) { torn++; break; }
        for (int i = 0; i < size_of[w]; i++)
            if (stream[off + i] != 'A' + w) { torn++; break; }
        count[w]++;
        off += size_of[w];
    }
    EXPECT_EQ(torn, 0);
    for (int w = 0; w < WRITERS; w++) SAY("writer %d (%d bytes): %d records", w, size_of[w], count[w]);
    int status, ok = 0;
    while (wait(&status) > 0) ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    EXPECT_EQ(ok, WRITERS);
    return t_done();
}
