/*
 * bench-spawn: start one command and report its wall time and its own peak RSS.
 *
 *   bench-spawn REPORT_FILE PROGRAM [ARG...]
 *
 * scripts/bench.py starts every measured command through this small program. Linux carries a
 * process's peak RSS across fork and exec (ru_maxrss keeps the larger of the parent's image and
 * the new one), so a command forked straight from Python could never report less than Python's
 * own ~15 MiB. Forked from this program instead, the floor is this program's RSS (about 1 MiB),
 * and the wall time excludes Python's own spawn overhead.
 *
 * The child inherits stdin, stdout, stderr, the working directory and the environment unchanged.
 * REPORT_FILE receives one line: "<elapsed ns> <peak RSS KiB> <exit code>", where the exit code
 * is 128+N for a child killed by signal N. bench-spawn exits 0 when it could report, 127 when the
 * program could not be started, and 2 on a usage error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-spawn REPORT_FILE PROGRAM [ARG...]\n");
        return 2;
    }

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) {
        perror("bench-spawn: fork");
        return 127;
    }
    if (child == 0) {
        execv(argv[2], &argv[2]);
        perror("bench-spawn: exec");
        _exit(127);
    }

    int status = 0;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) < 0) {
        perror("bench-spawn: wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);

    long long elapsed = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        perror("bench-spawn: report file");
        return 127;
    }
    fprintf(report, "%lld %ld %d\n", elapsed, usage.ru_maxrss, code);
    return fclose(report) == 0 ? 0 : 127;
}
