#!/bin/sh
# fuzz/ci-fuzz.sh: bounded fuzzing for CI. Runs each libFuzzer target of a
# `fuzz` preset build for SECONDS from its seed corpus (never written to: new
# inputs go to a scratch directory), and keeps every crash, leak, timeout or
# out-of-memory input in ARTIFACT_DIR/<target>/, with the target's log and, for
# fuzz_calls, fuzz_faults and fuzz_sched, the crash decoded into a .scn case by
# `backstop fuzz2scn` (a finding becomes a regression case: copy it into
# scenarios/ or the input into fuzz/corpus/<target>/).
#
#   fuzz/ci-fuzz.sh [BUILD_DIR [SECONDS [ARTIFACT_DIR]]]
#     BUILD_DIR     default build-fuzz (cmake --preset fuzz && cmake --build --preset fuzz)
#     SECONDS       per target, default 60
#     ARTIFACT_DIR  default fuzz-artifacts
#
# BACKSTOP_FUZZ_SKIP (fuzz/fuzz_common.h) is passed through: CI leaves it unset,
# so known model/engine disagreements fail the run until they are resolved.
# Exit status: 0 when no target found anything, 1 otherwise, 2 on a usage
# error (a target is missing).
set -u
build=${1:-build-fuzz}
secs=${2:-60}
art=${3:-fuzz-artifacts}
here=$(cd "$(dirname "$0")" && pwd)
targets="fuzz_calls fuzz_faults fuzz_scenario fuzz_sched"
status=0

for t in $targets; do
    exe=$build/fuzz/$t
    if [ ! -x "$exe" ]; then
        echo "ci-fuzz: $exe is missing (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
        exit 2
    fi
done
mkdir -p "$art"
art=$(cd "$art" && pwd)

for t in $targets; do
    exe=$build/fuzz/$t
    out=$art/$t
    scratch=$(mktemp -d)
    mkdir -p "$out"
    max_len=$(sed -n 's/^max_len *= *//p' "$here/$t.options")
    echo "ci-fuzz: $t for ${secs}s"
    "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len:-1024}" \
        -dict="$here/$t.dict" -print_final_stats=1 -artifact_prefix="$out/" \
        "$scratch" "$here/corpus/$t" >"$out/$t.log" 2>&1
    rc=$?
    rm -rf "$scratch"
    found=$(ls "$out" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
    if [ $rc -ne 0 ] || [ -n "$found" ]; then
        status=1
        echo "ci-fuzz: $t FAILED (exit $rc); inputs kept in $out/:"
        for f in $found; do
            echo "  $f"
            if [ "$t" != fuzz_scenario ] && [ -x "$build/harness/backstop" ]; then
                "$build/harness/backstop" fuzz2scn "$out/$f" --target "$t" --out "$out/$f.scn" \
                    >/dev/null 2>&1 && echo "  $f.scn"
            fi
        done
        grep -m1 -E '^==backstop== FINDING|ERROR: ' "$out/$t.log" | cut -c1-200
    else
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$out/$t.log" | tr '\n' ' '
        echo
        rm -f "$out/$t.log"
        rmdir "$out" 2>/dev/null || true
    fi
done
exit $status
