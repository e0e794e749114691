/*
 * loader_test.c: target_resolve() and friends (harness/loader.c): built-in
 * names, unknown names with a suggestion, load errors that name every missing
 * symbol or carry the dynamic loader's own message, optional exports left
 * NULL, shims that reach the library, and open() resetting the process-wide
 * world and applying the profile.
 *
 * Two tiny libraries built from tests/fixtures/ are passed in by path:
 * LIB_MISSING_PATH (lacks JetStopBackupInstance and JetTruncateLogInstance) and
 * LIB_CRASH_PATH (loads, but its Stop crashes and its Read never returns).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader_int.h"
#include "target.h"

#ifndef LIB_MISSING_PATH
#error "build with -DLIB_MISSING_PATH='\"path/to/lib_missing.so\"'"
#endif
#ifndef LIB_CRASH_PATH
#error "build with -DLIB_CRASH_PATH='\"path/to/lib_crash.so\"'"
#endif

/* ---------------------------------------------------------------------------
 * Built-in names.
 * ------------------------------------------------------------------------- */

Test(loader, builtin_names_give_the_static_tables)
{
    static const struct {
        const char *name;
        const struct target_ops *ops;
    } rows[] = {
        {"model", &target_model_ops},
        {"engine", &target_engine_ops},
        {"engine-dir", &target_engine_dir_ops},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct target_ops *ops = NULL;
        char detail[256] = "stale";
        cr_expect_eq(target_resolve(rows[i].name, detail, sizeof detail, &ops), TARGET_OK, "%s",
                     rows[i].name);
        cr_expect_eq(ops, rows[i].ops, "%s", rows[i].name);
        cr_expect_str_eq(detail, "", "detail is cleared on success");
        target_release(ops); /* a no-op for built-ins */
    }
    target_release(NULL);
}

struct unknown_row {
    char name[24];
    char spec[24];
    char nearest[16];
};

ParameterizedTestParameters(loader, unknown_name_suggests_the_nearest)
{
    static struct unknown_row rows[] = {
        {"typo in model", "modle", "model"},
        {"typo in engine", "egnine", "engine"},
        {"typo in engine-dir", "engine_dir", "engine-dir"},
        {"upper case", "MODEL", "model"},
        {"far from all", "zzz", "model"},
    };
    return cr_make_param_array(struct unknown_row, rows, sizeof rows / sizeof rows[0]);
}

ParameterizedTest(struct unknown_row *row, loader, unknown_name_suggests_the_nearest)
{
    const struct target_ops *ops = &target_model_ops;
    char detail[512];
    char nearest[64];

    cr_assert_eq(target_resolve(row->spec, detail, sizeof detail, &ops), TARGET_EUNKNOWN, "%s",
                 row->name);
    cr_expect_null(ops, "%s: *out is cleared on failure", row->name);
    snprintf(nearest, sizeof nearest, "nearest: '%s'", row->nearest);
    cr_expect_not_null(strstr(detail, nearest), "%s: %s", row->name, detail);
    cr_expect_not_null(strstr(detail, row->spec), "%s: names the argument: %s", row->name, detail);
    cr_expect_not_null(strstr(detail, "model, engine, engine-dir"), "%s: lists the names: %s",
                       row->name, detail);
}

Test(loader, empty_or_null_name_is_unknown)
{
    const struct target_ops *ops;
    char detail[256];
    cr_expect_eq(target_resolve("", detail, sizeof detail, &ops), TARGET_EUNKNOWN);
    cr_expect_neq(detail[0], '\0');
    cr_expect_eq(target_resolve(NULL, detail, sizeof detail, &ops), TARGET_EUNKNOWN);
    cr_expect_eq(target_resolve("model", NULL, 0, NULL), TARGET_EUNKNOWN, "no out pointer");
}

/* ---------------------------------------------------------------------------
 * Load errors.
 * ------------------------------------------------------------------------- */

Test(loader, missing_required_symbols_are_all_named)
{
    const struct target_ops *ops = &target_model_ops;
    char detail[1024];
    cr_assert_eq(target_resolve(LIB_MISSING_PATH, detail, sizeof detail, &ops), TARGET_ELOAD);
    cr_expect_null(ops);
    /* Both missing required symbols, in jet.h order, and nothing else: the
     * absent optional functions are not errors. */
    cr_expect_str_eq(detail, "missing required symbol(s): JetStopBackupInstance, "
                             "JetTruncateLogInstance");
}

Test(loader, missing_symbols_with_small_or_no_detail_buffer)
{
    const struct target_ops *ops;
    char small[24];
    memset(small, 'x', sizeof small);
    cr_expect_eq(target_resolve(LIB_MISSING_PATH, small, sizeof small, &ops), TARGET_ELOAD);
    cr_expect_eq(strnlen(small, sizeof small), sizeof small - 1, "truncated and terminated");
    cr_expect_eq(strncmp(small, "missing required", 16), 0);
    cr_expect_eq(target_resolve(LIB_MISSING_PATH, NULL, 0, &ops), TARGET_ELOAD);
    char one[1] = {'x'};
    cr_expect_eq(target_resolve(LIB_MISSING_PATH, one, sizeof one, &ops), TARGET_ELOAD);
    cr_expect_eq(one[0], '\0');
}

Test(loader, nonexistent_path_reports_the_dlerror_text)
{
    const char *path = "/nonexistent/backstop/libnope.so";
    const struct target_ops *ops;
    char detail[1024], expect[1024];

    /* The loader's message is the dynamic loader's own, verbatim. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    cr_assert_null(h);
    snprintf(expect, sizeof expect, "%s", dlerror());

    cr_assert_eq(target_resolve(path, detail, sizeof detail, &ops), TARGET_ELOAD);
    cr_expect_str_eq(detail, expect);
    cr_expect_not_null(strstr(detail, path), "dlerror names the file: %s", detail);
}

Test(loader, a_so_name_without_a_slash_is_a_path)
{
    const struct target_ops *ops;
    char detail[512];
    cr_expect_eq(target_resolve("libbackstop-no-such-library.so", detail, sizeof detail, &ops),
                 TARGET_ELOAD);
    cr_expect_not_null(strstr(detail, "libbackstop-no-such-library.so"), "%s", detail);
    cr_expect_eq(target_resolve("./nothing-here", detail, sizeof detail, &ops), TARGET_ELOAD);
}

Test(loader, a_file_that_is_not_a_library_is_a_load_error)
{
    char path[] = "/tmp/backstop_loader_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "not an ELF file\n", 16), 16);
    close(fd);
    const struct target_ops *ops;
    char detail[512];
    int rv = target_resolve(path, detail, sizeof detail, &ops);
    unlink(path);
    cr_expect_eq(rv, TARGET_ELOAD);
    cr_expect_neq(detail[0], '\0');
}

/* ---------------------------------------------------------------------------
 * A library that loads.
 * ------------------------------------------------------------------------- */

static const struct target_ops *load_crash_lib(void)
{
    const struct target_ops *ops = NULL;
    char detail[512] = "";
    cr_assert_eq(target_resolve(LIB_CRASH_PATH, detail, sizeof detail, &ops), TARGET_OK, "%s",
                 detail);
    cr_assert_not_null(ops);
    return ops;
}

Test(loader, loaded_library_fills_exactly_the_members_it_exports)
{
    const struct target_ops *ops = load_crash_lib();
    const struct jet_api *api = ops->api;
    const struct jet_fixture *fx = ops->fixture;

    cr_expect_str_eq(ops->name, LIB_CRASH_PATH);
    cr_expect_not_null(ops->open);
    cr_expect_not_null(ops->close);
    cr_expect_not_null(ops->data);

    /* Every required function, and the one optional function it exports. */
#define CHECK_PRESENT(name, need, params, args)                                         \
    if ((need) == JET_REQUIRED)                                                         \
        cr_expect_not_null(api->name, #name " is required and exported");
#define CHECK_PRESENT0(name, need) CHECK_PRESENT(name, need, (), ())
    JET_API_FUNCTIONS(CHECK_PRESENT, CHECK_PRESENT0)
#undef CHECK_PRESENT
#undef CHECK_PRESENT0
    cr_expect_not_null(api->JetTerm2);

    /* Optional functions it does not export stay NULL. */
    cr_expect_null(api->JetStopServiceInstance);
    cr_expect_null(api->JetStopService);
    cr_expect_null(api->JetStopBackup);
    cr_expect_null(api->JetGetLogInfoInstance2);
    cr_expect_null(api->JetGetTruncateLogInfoInstance);
    cr_expect_null(api->JetEndExternalBackupInstance2);
    cr_expect_null(api->JetBeginExternalBackup);
    cr_expect_null(api->JetGetAttachInfo);
    cr_expect_null(api->JetOpenFile);
    cr_expect_null(api->JetReadFile);
    cr_expect_null(api->JetCloseFile);
    cr_expect_null(api->JetGetLogInfo);
    cr_expect_null(api->JetTruncateLog);
    cr_expect_null(api->JetEndExternalBackup);

    /* Fixture: Reset and SetProfile only. */
    cr_expect_not_null(fx->BackstopFixtureReset);
    cr_expect_not_null(fx->BackstopFixtureSetProfile);
#define CHECK_FX(name, params, args)                                                     \
    if (strcmp(#name, "BackstopFixtureReset") != 0 &&                                    \
        strcmp(#name, "BackstopFixtureSetProfile") != 0)                                 \
        cr_expect_null(fx->name, #name " is not exported");
#define CHECK_FX0(name) CHECK_FX(name, (), ())
    BACKSTOP_FIXTURE_FUNCTIONS(CHECK_FX, CHECK_FX0)
#undef CHECK_FX
#undef CHECK_FX0
    target_release(ops);
}

Test(loader, shims_pass_context_and_arguments_through)
{
    const struct target_ops *ops = load_crash_lib();
    struct target_config cfg = {.profile = MODEL_PROFILE_ESE};
    void *ctx = NULL;
    cr_assert_eq(ops->open(ops, &cfg, &ctx), TARGET_OK);
    cr_assert_not_null(ctx);

    JET_INSTANCE a = 0, b = 0;
    cr_expect_eq(ops->api->JetCreateInstance(ctx, &a, "a"), JET_errSuccess);
    cr_expect_eq(ops->api->JetCreateInstance(ctx, &b, "b"), JET_errSuccess);
    cr_expect_eq(a, 1);
    cr_expect_eq(b, 2);
    cr_expect_eq(ops->api->JetCreateInstance(ctx, NULL, "c"), JET_errInvalidParameter);
    cr_expect_eq(ops->api->JetInit(ctx, &a), JET_errSuccess);

    char szz[8] = "xxxxxxx";
    uint32_t cb = 0;
    cr_expect_eq(ops->api->JetGetAttachInfoInstance(ctx, a, szz, sizeof szz, &cb), JET_errSuccess);
    cr_expect_eq(cb, 2);
    cr_expect_eq(szz[0], '\0');
    cr_expect_eq(szz[1], '\0');

    JET_HANDLE h = 0;
    uint32_t lo = 7, hi = 7;
    cr_expect_eq(ops->api->JetOpenFileInstance(ctx, a, "db", &h, &lo, &hi), JET_errSuccess);
    cr_expect_eq(h, 1);
    cr_expect_eq(lo, 0);
    cr_expect_eq(hi, 0);
    cr_expect_eq(ops->api->JetTerm2(ctx, a, JET_bitTermAbrupt), JET_errSuccess);
    ops->close(ctx);
    target_release(ops);
}

static unsigned reset_count(void *ctx)
{
    unsigned (*count)(void) = (unsigned (*)(void))loader__symbol(ctx, "lib_crash_reset_count");
    cr_assert_not_null(count, "lib_crash exports its test hook");
    return count();
}

Test(loader, open_resets_the_world_every_time)
{
    const struct target_ops *ops = load_crash_lib();
    struct target_config cfg = {.profile = MODEL_PROFILE_ESE};
    void *ctx = NULL;

    cr_assert_eq(ops->open(ops, &cfg, &ctx), TARGET_OK);
    unsigned first = reset_count(ctx);
    JET_INSTANCE inst = 0;
    cr_expect_eq(ops->api->JetCreateInstance(ctx, &inst, "x"), JET_errSuccess);
    cr_expect_eq(inst, 1);
    ops->close(ctx);

    cr_assert_eq(ops->open(ops, &cfg, &ctx), TARGET_OK);
    cr_expect_eq(reset_count(ctx), first + 1);
    cr_expect_eq(ops->api->JetCreateInstance(ctx, &inst, "x"), JET_errSuccess);
    cr_expect_eq(inst, 1, "the reset dropped the earlier instance");
    ops->close(ctx);
    target_release(ops);
}

Test(loader, open_applies_the_profile)
{
    const struct target_ops *ops = load_crash_lib();
    void *ctx = NULL;
    struct target_config ese = {.profile = MODEL_PROFILE_ESE};
    struct target_config esent = {.profile = MODEL_PROFILE_ESENT};
    struct target_config documented = {.profile = MODEL_PROFILE_DOCUMENTED};

    cr_expect_eq(ops->open(ops, &ese, &ctx), TARGET_OK);
    cr_expect_eq(ops->open(ops, &esent, &ctx), TARGET_OK);
    cr_expect_eq(ops->open(ops, &documented, &ctx), TARGET_EPROFILE,
                 "JET_wrnNyi from SetProfile means the profile is not supported");
    target_release(ops);
}

Test(loader, two_resolutions_of_one_library_are_independent)
{
    const struct target_ops *a = load_crash_lib();
    const struct target_ops *b = load_crash_lib();
    cr_expect_neq(a, b);
    target_release(a);

    /* b still works after a's release (the library is reference-counted). */
    struct target_config cfg = {.profile = MODEL_PROFILE_ESE};
    void *ctx = NULL;
    JET_INSTANCE inst = 0;
    cr_assert_eq(b->open(b, &cfg, &ctx), TARGET_OK);
    cr_expect_eq(b->api->JetCreateInstance(ctx, &inst, "x"), JET_errSuccess);
    b->close(ctx);
    target_release(b);
}

/* ---------------------------------------------------------------------------
 * The crashing and hanging functions do what cli_test relies on.
 * ------------------------------------------------------------------------- */

/* Run `which` (0: Stop, 1: Read) in a child; return its wait status. */
static int run_in_child(int which)
{
    const struct target_ops *ops = load_crash_lib();
    struct target_config cfg = {.profile = MODEL_PROFILE_ESE};
    void *ctx = NULL;
    cr_assert_eq(ops->open(ops, &cfg, &ctx), TARGET_OK);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        char buf[16];
        uint32_t cb;
        if (which == 0) {
            /* Keep the sanitizers' report of the expected fault out of the log. */
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0)
                dup2(devnull, STDERR_FILENO);
            ops->api->JetStopBackupInstance(ctx, 1);
        } else {
            /* No sleep: if Read returns before the alarm, the child exits 0
             * and the test fails; if it blocks, SIGALRM ends it. */
            alarm(1);
            ops->api->JetReadFileInstance(ctx, 1, 1, buf, sizeof buf, &cb);
        }
        _exit(0);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    target_release(ops);
    return status;
}

Test(loader, lib_crash_stop_kills_the_process, .timeout = 30)
{
    int status = run_in_child(0);
    /* A plain build dies of SIGSEGV; under AddressSanitizer the sanitizer
     * reports the fault and exits non-zero or aborts. Either way it never
     * returns normally. */
    cr_expect(!(WIFEXITED(status) && WEXITSTATUS(status) == 0), "Stop returned normally");
    if (WIFSIGNALED(status))
        cr_expect(WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGABRT ||
                      WTERMSIG(status) == SIGBUS,
                  "signal %d", WTERMSIG(status));
}

Test(loader, lib_crash_read_never_returns, .timeout = 30)
{
    int status = run_in_child(1);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM,
              "Read returned instead of blocking (status 0x%x)", (unsigned)status);
}

/* ---------------------------------------------------------------------------
 * target_strerror.
 * ------------------------------------------------------------------------- */

Test(loader, strerror_has_a_message_for_every_status)
{
    const int codes[] = {TARGET_OK,     TARGET_EUNKNOWN, TARGET_ELOAD,
                         TARGET_ENOMEM, TARGET_EPROFILE, TARGET_EIO};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = target_strerror(codes[i]);
        cr_assert_not_null(s);
        cr_expect_neq(s[0], '\0');
        for (size_t k = 0; k < i; k++)
            cr_expect_str_neq(s, target_strerror(codes[k]), "codes %d and %d", codes[i],
                              codes[k]);
    }
    cr_expect_not_null(target_strerror(-999));
    cr_expect_not_null(target_strerror(42));
}
