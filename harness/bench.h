/*
 * bench.h: `backstop bench ...`: throughput measurements. Performance goals are
 * met here, never in timed tests. Each bench prints the seed, the figure and the
 * machine it ran on.
 */
#ifndef BACKSTOP_BENCH_H
#define BACKSTOP_BENCH_H

#include <stdint.h>
#include <stdio.h>

struct bench_config {
    double seconds; /* measuring time per figure */
    uint64_t seed;
};

/* Model steps per second on a seeded random mix of valid and invalid calls over
 * several instances, one core. Returns 0, or -1 on a harness error. */
int bench_model(const struct bench_config *cfg, FILE *out);

/* Full-backup and API-call throughput of the reference engine (bench_engine.c):
 * calls per second with the memory store on one thread, and full-backup MB/s with
 * the directory store against cp of the same files, in one run. */
int bench_engine(const struct bench_config *cfg, FILE *out);

/* Linearizability checker throughput on seeded generated histories (bench_lincheck.c):
 * 1 M operations over 64 instances from 8 threads, and 10 k operations on one
 * instance from 8 threads. */
int bench_lincheck(const struct bench_config *cfg, FILE *out);

/* Recorded-and-checked calls per second of stress against the engine (memory
 * store, 2 threads), against the same workload with recording off (bench_stress.c). */
int bench_stress(const struct bench_config *cfg, FILE *out);

/* Prints "machine: <cpu model>, <n> cores" to out. */
void bench_print_machine(FILE *out);

#endif /* BACKSTOP_BENCH_H */
