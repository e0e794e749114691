/*
 * replay_main.c: a standalone main for builds without libFuzzer (gcc): runs
 * every file named on the command line, and every file below each directory
 * named (sorted by name), once through the target's LLVMFuzzerTestOneInput.
 * CTest uses it to replay fuzz/corpus/<target>/ as a regression test
 * (label fuzz-regress); AFL++ can drive it with `@@`. A finding aborts, after
 * the name of the input on stderr.
 *
 * Exit status: 0 after running at least one input, 1 if none was found, 2 if
 * a path could not be read.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"

static char replay_current[4096];

static void replay_on_signal(int sig)
{
    static const char head[] = "\nreplay: the input that failed: ";
    ssize_t rc = write(2, head, sizeof head - 1);
    rc = write(2, replay_current, strlen(replay_current));
    rc = write(2, "\n", 1);
    (void)rc;
    signal(sig, SIG_DFL);
    raise(sig);
}

static int replay_file(const char *path, size_t *n_run)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, k;
    if (f == NULL) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 2;
    }
    do {
        if (len == cap) {
            unsigned char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return 2;
            }
            buf = nb;
        }
        k = fread(buf + len, 1, cap - len, f);
        len += k;
    } while (k > 0);
    fclose(f);
    snprintf(replay_current, sizeof replay_current, "%s", path);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    (*n_run)++;
    return 0;
}

static int replay_filter(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int replay_path(const char *path, size_t *n_run)
{
    struct stat st;
    struct dirent **names = NULL;
    int n, status = 0;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat %s\n", path);
        return 2;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path, n_run);
    n = scandir(path, &names, replay_filter, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
        if (status == 0)
            status = replay_path(sub, n_run);
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    size_t n_run = 0;
    int status = 0;
    signal(SIGABRT, replay_on_signal);
    signal(SIGSEGV, replay_on_signal);
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc && status == 0; i++)
        status = replay_path(argv[i], &n_run);
    if (status != 0)
        return status;
    printf("replay: %zu inputs, no finding; model-state transitions reached: %zu\n", n_run,
           fuzz_state_coverage());
    return n_run ? 0 : 1;
}
