/*
 * bench.c: throughput benchmarks (see bench.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "model.h"
#include "rng.h"

#define BENCH_CALLS 4096u /* pre-generated calls (about 230 KB: fits in L2), replayed in a loop */
#define BENCH_RESET 4096u  /* steps between world resets from the snapshot */
#define BENCH_INSTANCES 4

static double bench__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void bench_print_machine(FILE *out)
{
    char line[256], model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                const char *p = strchr(line, ':');
                if (p) {
                    snprintf(model, sizeof model, "%s", p + 2);
                    model[strcspn(model, "\n")] = 0;
                }
                break;
            }
        }
        fclose(f);
    }
    fprintf(out, "machine: %s, %ld cores\n", model, sysconf(_SC_NPROCESSORS_ONLN));
}

/* A world with BENCH_INSTANCES running instances, two databases each. */
static int bench__world(struct model_world *w, JET_INSTANCE *inst)
{
    struct model_config cfg = {0};
    struct model_result r;
    model_world_init(w, &cfg);
    for (int i = 0; i < BENCH_INSTANCES; i++) {
        struct model_call c = {.op = MODEL_OP_CREATE_INSTANCE};
        model_step(w, &c, &r);
        if (r.err)
            return -1;
        inst[i] = r.inst;
        c = (struct model_call){.op = MODEL_OP_INIT, .inst = inst[i]};
        model_step(w, &c, &r);
        c = (struct model_call){.op = MODEL_OP_FX_CREATE_DB, .inst = inst[i], .name = "db1", .arg = 64};
        model_step(w, &c, &r);
        c = (struct model_call){.op = MODEL_OP_FX_CREATE_DB, .inst = inst[i], .name = "db2", .arg = 16};
        model_step(w, &c, &r);
        c = (struct model_call){.op = MODEL_OP_FX_ROLL_LOG, .inst = inst[i], .arg = 6};
        model_step(w, &c, &r);
        if (r.err)
            return -1;
    }
    return 0;
}

/* The mix: mostly the backup sequence on live handles, with Stops, invalid
 * handles (never-created, nil), out-of-sequence calls and bad parameters. */
static void bench__gen(struct rng *g, const JET_INSTANCE *inst, struct model_call *calls, size_t n)
{
    static const enum model_op seq[] = {
        MODEL_OP_BEGIN,       MODEL_OP_GET_ATTACH_INFO, MODEL_OP_OPEN_FILE,  MODEL_OP_READ_FILE,
        MODEL_OP_READ_FILE,   MODEL_OP_READ_FILE,       MODEL_OP_CLOSE_FILE, MODEL_OP_GET_LOG_INFO,
        MODEL_OP_OPEN_FILE,   MODEL_OP_READ_FILE,       MODEL_OP_CLOSE_FILE, MODEL_OP_TRUNCATE_LOG,
        MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_END,    MODEL_OP_END2,       MODEL_OP_GET_TRUNCATE_LOG_INFO,
    };
    static const char *names[] = {"db1", "db2", "edb00000003.log", "edb00000005.log", "nosuch.edb"};
    for (size_t i = 0; i < n; i++) {
        struct model_call *c = &calls[i];
        uint32_t roll = rng_below(g, 100);
        memset(c, 0, sizeof *c);
        c->op = seq[rng_below(g, sizeof seq / sizeof seq[0])];
        c->inst = inst[rng_below(g, BENCH_INSTANCES)];
        if (roll < 5)
            c->inst = 0x7BAD0BAD0ull; /* never created */
        else if (roll < 8)
            c->inst = JET_instanceNil;
        c->cb_max = (rng_below(g, 8) + 1) * 4096u;
        c->grbit = c->op == MODEL_OP_END2 ? (rng_below(g, 4)) : (roll % 7 == 0);
        c->name = names[rng_below(g, sizeof names / sizeof names[0])];
        if (roll % 11 == 0)
            c->flags |= MODEL_CALL_BUF_MISALIGNED;
    }
}

int bench_model(const struct bench_config *cfg, FILE *out)
{
    struct model_world *w = malloc(model_world_size()), *snap = malloc(model_world_size());
    struct model_call *calls = malloc(BENCH_CALLS * sizeof *calls);
    JET_INSTANCE inst[BENCH_INSTANCES];
    struct rng g;
    uint64_t steps = 0, errs = 0;
    double t0, t1, limit = cfg->seconds > 0 ? cfg->seconds : 3.0;
    int rv = -1;

    if (!w || !snap || !calls || bench__world(snap, inst) != 0)
        goto done;
    rng_seed(&g, cfg->seed);
    bench__gen(&g, inst, calls, BENCH_CALLS);
    model_world_copy(w, snap);
    t0 = bench__now();
    do {
        for (uint32_t k = 0; k < 64 * BENCH_RESET; k++) {
            struct model_result r;
            model_step(w, &calls[(steps + k) % BENCH_CALLS], &r);
            errs += r.err != 0;
            if ((k & (BENCH_RESET - 1)) == BENCH_RESET - 1)
                model_world_copy(w, snap);
        }
        steps += 64 * BENCH_RESET;
        t1 = bench__now();
    } while (t1 - t0 < limit);
    fprintf(out, "bench model: %llu steps in %.2f s = %.1f M steps/s (one core; %.0f%% of calls "
                 "returned an error; seed %llu)\n",
            (unsigned long long)steps, t1 - t0, steps / (t1 - t0) / 1e6, 100.0 * errs / steps,
            (unsigned long long)cfg->seed);
    rv = 0;
done:
    free(w);
    free(snap);
    free(calls);
    return rv;
}
