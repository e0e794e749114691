/*
 * cli_test.c: the backstop command line's exit statuses and messages: 0 when
 * every result matches, 1 on a failure, 2 on usage, parse and load errors; a
 * crashing target is reported and the run goes on; reports are written.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct cli_out {
    int status;
    char text[65536];
};

/* Run `backstop ARGS` (stdout and stderr together). */
static void cli_run(const char *args, struct cli_out *o)
{
    char cmd[4096];
    size_t n = 0;
    FILE *p;
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", BACKSTOP_EXE, args);
    p = popen(cmd, "r");
    cr_assert_not_null(p, "popen failed");
    while (n < sizeof o->text - 1) {
        size_t k = fread(o->text + n, 1, sizeof o->text - 1 - n, p);
        if (k == 0)
            break;
        n += k;
    }
    o->text[n] = 0;
    int st = pclose(p);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct cli_case {
    char name[48];
    char args[512];
    int status;
    char needle[160]; /* text the output must contain */
};

static struct cli_case cli_cases[] = {
    {"no_arguments", "", 2, "usage: backstop run"},
    {"unknown_command", "rnu", 2, "did you mean 'run'"},
    {"unknown_option", "run --frobnicate " TEST_DATA "/good.scn", 2, "unknown or incomplete option"},
    {"missing_option_value", "run " TEST_DATA "/good.scn --target", 2, "unknown or incomplete option"},
    {"no_path", "run --target model", 2, "no scenario PATH"},
    {"bad_profile", "run --profile esnet " TEST_DATA "/good.scn", 2, "unknown profile 'esnet'"},
    {"bad_format", "run --format yaml " TEST_DATA "/good.scn", 2, "unknown format 'yaml'"},
    {"bad_timeout", "run --timeout soon " TEST_DATA "/good.scn", 2, "not a number of seconds"},
    {"bad_seed", "run --seed -3 " TEST_DATA "/good.scn", 2, "not an unsigned number"},
    {"missing_file", "run " TEST_DATA "/no-such.scn", 2, "no-such.scn:1:1:"},
    {"parse_error", "run " TEST_DATA "/bad_syntax.scn", 2,
     "bad_syntax.scn:5:3: unknown API function 'JetStopBackupInstanse' (did you mean 'JetStopBackupInstance'?)"},
    {"good_suite_passes", "run --seed 7 " TEST_DATA "/good.scn", 0, "2 passed, 0 failed, 0 skipped"},
    {"seed_printed_first", "run --seed 7 " TEST_DATA "/good.scn", 0, "backstop run: target model, profile ese, seed 7"},
    {"good_suite_esent", "run --profile esent " TEST_DATA "/good.scn", 0, "2 passed, 0 failed, 0 skipped"},
    {"good_suite_documented", "run --profile documented " TEST_DATA "/good.scn", 0, "2 passed, 0 failed"},
    {"failure_exits_1", "run " TEST_DATA "/failing.scn", 1, "0 passed, 1 failed, 0 skipped"},
    {"failure_shows_rules", "run " TEST_DATA "/failing.scn", 1, "rules:    R21 D1"},
    {"failure_shows_trace", "run " TEST_DATA "/failing.scn", 1, "call trace:"},
    {"failure_shows_expected", "run " TEST_DATA "/failing.scn", 1,
     "expected: JET_errBackupAbortByServer (-801)"},
    {"xfail_passes", "run --expectations " TEST_DATA "/xfail.txt " TEST_DATA "/failing.scn", 0,
     "1 passed, 0 failed, 0 skipped"},
    {"xpass_fails", "run --expectations " TEST_DATA "/xpass.txt " TEST_DATA "/good.scn", 1, "XPASS"},
    {"bad_expectations", "run --expectations " TEST_DATA "/bad_expect.txt " TEST_DATA "/good.scn", 2,
     "bad_expect.txt:1:1: expected XFAIL or SKIP"},
    {"filter_selects", "run --filter '*never*' " TEST_DATA "/good.scn", 0, "1 passed, 0 failed, 0 skipped"},
    {"unknown_target", "run --target modle " TEST_DATA "/good.scn", 2, "LOAD-ERROR"},
    {"missing_symbols", "run --target " LIB_MISSING_PATH " " TEST_DATA "/good.scn", 2,
     "JetStopBackupInstance"},
    {"crash_is_reported", "run --target " LIB_CRASH_PATH " --timeout 5 " TEST_DATA "/good.scn", 1, "CRASH"},
    {"crash_names_last_call", "run --target " LIB_CRASH_PATH " --timeout 5 " TEST_DATA "/good.scn", 1,
     "last call: " TEST_DATA "/good.scn:19: JetStopBackupInstance never"},
    {"hang_is_timeout", "run --target " LIB_CRASH_PATH " --timeout 2 " TEST_DATA "/hang.scn", 1,
     "TIMEOUT: the case ran longer than 2.0 s"},
    {"timeout_names_last_call", "run --target " LIB_CRASH_PATH " --timeout 2 " TEST_DATA "/hang.scn", 1,
     "last call: " TEST_DATA "/hang.scn:7: JetReadFileInstance i 0 cb=4p"},
    {"run_goes_on_after_timeout", "run --target " LIB_CRASH_PATH " --timeout 2 " TEST_DATA "/hang.scn", 1,
     "CRASH cli.after_the_hang"},
    {"engine_so_passes", "run --target " ENGINE_SO_PATH " " TEST_DATA "/good.scn", 0, "2 passed, 0 failed"},
    {"rules_table", "rules " SCENARIOS, 0, "55 rules:"},
    {"bench_bad_name", "bench modle", 2, "unknown benchmark 'modle'"},
};

ParameterizedTestParameters(cli, exit_status)
{
    return cr_make_param_array(struct cli_case, cli_cases, sizeof cli_cases / sizeof cli_cases[0]);
}

ParameterizedTest(struct cli_case *c, cli, exit_status, .timeout = 120)
{
    struct cli_out *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    cli_run(c->args, o);
    cr_expect_eq(o->status, c->status, "%s: backstop %s exited %d, expected %d; output:\n%s", c->name,
                 c->args, o->status, c->status, o->text);
    cr_expect_not_null(strstr(o->text, c->needle), "%s: output lacks \"%s\"; output:\n%s", c->name,
                       c->needle, o->text);
    free(o);
}

/* The run ends with the totals line. */
Test(cli, text_run_ends_with_totals_line, .timeout = 60)
{
    struct cli_out *o = malloc(sizeof *o);
    cli_run("run " TEST_DATA "/good.scn", o);
    size_t n = strlen(o->text);
    cr_assert(n > 0);
    while (n > 0 && o->text[n - 1] == '\n')
        o->text[--n] = 0;
    const char *last = strrchr(o->text, '\n');
    last = last ? last + 1 : o->text;
    cr_expect_str_eq(last, "2 passed, 0 failed, 0 skipped");
    free(o);
}

/* A crashing target still gets every report written, with every case in it. */
Test(cli, reports_written_after_crash, .timeout = 120)
{
    char path[] = "/tmp/backstop-cli-XXXXXX", args[1024];
    struct cli_out *o = malloc(sizeof *o);
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    snprintf(args, sizeof args, "run --target %s --timeout 5 --format junit --out %s %s/good.scn",
             LIB_CRASH_PATH, path, TEST_DATA);
    cli_run(args, o);
    cr_expect_eq(o->status, 1);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    unlink(path);
    cr_expect_not_null(strstr(buf, "cli.stop_then_read_aborts"));
    cr_expect_not_null(strstr(buf, "cli.stop_on_never_created_handle"));
    cr_expect_not_null(strstr(buf, "<error"));
    free(o);
}

/* ---- backstop mutants --fuzz-dir (the fuzz column) and fuzz2scn ------------------------- */

#include <sys/stat.h>

static void cli_write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(chmod(path, mode), 0);
}

/* Fake fuzz binaries stand for fuzz_mutant_<name>: one reports a finding (after
 * checking that it got the time limit, a scratch corpus directory first and the
 * seed corpus last), one survives, one is missing; the mutants are copies of
 * the engine (they survive the suite), so the command exits 1. */
Test(cli, mutants_fuzz_column, .timeout = 120)
{
    char dir[] = "/tmp/backstop-cli-XXXXXX", mut[64], fz[64], path[160], args[1024];
    static const char *const libs[] = {"libfake_killed.so", "libfake_missing.so", "libfake_survives.so"};
    struct cli_out *o = malloc(sizeof *o);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(mut, sizeof mut, "%s/mut", dir);
    snprintf(fz, sizeof fz, "%s/fz", dir);
    cr_assert_eq(mkdir(mut, 0700), 0);
    cr_assert_eq(mkdir(fz, 0700), 0);
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", mut, libs[k]);
        cr_assert_eq(symlink(ENGINE_SO_PATH, path), 0);
    }
    snprintf(path, sizeof path, "%s/fuzz_mutant_fake_killed", fz);
    cli_write_file(path,
                   "#!/bin/sh\n"
                   "for a; do prev=$last; last=$a; done\n"
                   "[ \"$last\" = '" TEST_DATA "' ] || { echo \"seed corpus not last: $*\"; exit 3; }\n"
                   "[ -d \"$prev\" ] && [ -z \"$(ls -A \"$prev\")\" ] || { echo \"no scratch corpus: $*\"; exit 3; }\n"
                   "echo \"==backstop== FINDING: fake, $2\" >&2\n"
                   "exit 77\n",
                   0755);
    snprintf(path, sizeof path, "%s/fuzz_mutant_fake_survives", fz);
    cli_write_file(path, "#!/bin/sh\nexit 0\n", 0755);
    snprintf(path, sizeof path, "%s/fuzz_mutant_baseline", fz);
    cli_write_file(path, "#!/bin/sh\nexit 0\n", 0755);

    snprintf(args, sizeof args,
             "mutants --seed 5 --only sequential --dir %s --fuzz-dir %s --fuzz-seconds 2 --fuzz-corpus %s "
             "--fuzz-dict none %s/good.scn",
             mut, fz, TEST_DATA, TEST_DATA);
    cli_run(args, o);
    cr_expect_eq(o->status, 1, "output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "fuzz: ==backstop== FINDING: fake, -max_total_time=2"), "output:\n%s",
                       o->text);
    cr_expect_not_null(strstr(o->text, "fuzz: no fuzz binary "), "output:\n%s", o->text);
    const char *row = strstr(o->text, "\nfake_missing ");
    cr_assert_not_null(row, "output:\n%s", o->text);
    const char *row_end = strchr(row + 1, '\n'), *missing = strstr(row, " MISSING ");
    cr_expect(missing && row_end && missing < row_end, "the row says MISSING; output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "fuzz (2 s each, "), "output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "): 1 killed, 1 not killed, 1 missing; baseline survived"), "output:\n%s",
                       o->text);
    cr_expect_not_null(strstr(o->text, "3 mutants, 0 killed, 3 survived; fuzzing alone killed 1 of 3 sequential "
                                       "mutants\n"),
                       "output:\n%s", o->text);

    /* The seed corpus was only read, and the scratch directories are gone. */
    snprintf(args, sizeof args, "find /tmp -maxdepth 1 -name 'backstop-fuzz-*' -newer %s | wc -l", mut);
    FILE *p = popen(args, "r");
    int left = -1;
    cr_assert_not_null(p);
    cr_expect_eq(fscanf(p, "%d", &left), 1);
    pclose(p);
    cr_expect_eq(left, 0, "scratch directories left behind");

    /* A fuzz directory that does not exist is a usage error. */
    snprintf(args, sizeof args, "mutants --only sequential --dir %s --fuzz-dir %s/nowhere %s/good.scn", mut, dir,
             TEST_DATA);
    cli_run(args, o);
    cr_expect_eq(o->status, 2, "output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "--fuzz-dir: no such directory"), "output:\n%s", o->text);

    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_expect_eq(system(args), 0);
    free(o);
}

/* A fuzz_faults input that arms open.eio prints it as a `fault` step, which
 * the parser reads back (fuzz2scn's output runs). */
Test(cli, fuzz2scn_prints_open_eio, .timeout = 60)
{
    char in[] = "/tmp/backstop-cli-XXXXXX", out[64], args[512];
    /* world: one instance with one database; then opcode 0x86 (the fault step
     * of the fuzz_faults dialect), point 5 (open.eio), nth 2 */
    static const unsigned char input[] = {0, 0, 0, 0, 0, 0x86, 5, 2};
    struct cli_out *o = malloc(sizeof *o);
    int fd = mkstemp(in);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, input, sizeof input), (ssize_t)sizeof input);
    close(fd);
    snprintf(args, sizeof args, "fuzz2scn %s --target fuzz_faults", in);
    cli_run(args, o);
    cr_expect_eq(o->status, 0, "output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "\n  fault open.eio nth=2\n"), "printed:\n%s", o->text);
    snprintf(out, sizeof out, "%s.scn", in);
    snprintf(args, sizeof args, "fuzz2scn %s --target fuzz_faults --out %s", in, out);
    cli_run(args, o);
    cr_expect_eq(o->status, 0, "output:\n%s", o->text);
    snprintf(args, sizeof args, "run --target engine %s", out);
    cli_run(args, o);
    cr_expect_eq(o->status, 0, "output:\n%s", o->text);
    cr_expect_not_null(strstr(o->text, "1 passed, 0 failed"), "output:\n%s", o->text);
    unlink(in);
    unlink(out);
    free(o);
}
