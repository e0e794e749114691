#!/bin/sh
# fuzz/mutants-fuzz.sh: the fuzz column of `backstop mutants`. Runs every
# fuzz_mutant_<mutant> variant (a build configured with -DBACKSTOP_FUZZ_MUTANTS=ON,
# see fuzz/CMakeLists.txt: the fuzz_faults dialect, i.e. fuzz_calls' programs
# plus fault steps) for at most SECONDS from the seed corpus and prints, per
# mutant, whether fuzzing alone killed it and the time to the first crash.
# fuzz_mutant_baseline is the engine without a bug: it must survive.
# `backstop mutants --fuzz-dir BUILD_DIR/fuzz/mutants` runs the same binaries
# one at a time as the fuzz column of the kill matrix, next to the suite's
# verdict; this script runs them JOBS at a time, without the suite.
#
#   fuzz/mutants-fuzz.sh [BUILD_DIR [SECONDS [JOBS [OUT_DIR [SEEDS]]]]]
#     BUILD_DIR  default build-fuzz
#     SECONDS    default 60 (the issue's bound)
#     JOBS       parallel runs, default 2
#     OUT_DIR    logs and crash inputs, default BUILD_DIR/fuzz/mutants-out
#     SEEDS      seed corpus, default fuzz/corpus/fuzz_faults (the suite's
#                cases as inputs); "none" starts from nothing
#
# Known model/engine disagreements are stepped around (BACKSTOP_FUZZ_SKIP=all),
# or every mutant would be "killed" by them. The seed is fixed (-seed=1).
# Exit status: 0 if every mutant but the baseline was killed and the baseline
# survived, 1 otherwise, 2 on a usage error.
set -u
build=${1:-build-fuzz}
secs=${2:-60}
jobs=${3:-2}
out=${4:-$build/fuzz/mutants-out}
here=$(cd "$(dirname "$0")" && pwd)
seeds=${5:-$here/corpus/fuzz_faults}
[ "$seeds" = none ] && seeds=
dir=$build/fuzz/mutants
[ -d "$dir" ] || { echo "mutants-fuzz: no $dir (configure with -DBACKSTOP_FUZZ_MUTANTS=ON)" >&2; exit 2; }
mkdir -p "$out"

run_one() { # $1 = path of a fuzz_mutant_<id> binary; writes $out/<id>.result
    exe=$1
    id=${exe##*/fuzz_mutant_}
    work=$(mktemp -d)
    start=$(date +%s.%N)
    BACKSTOP_FUZZ_SKIP=all "$exe" -seed=1 -max_total_time="$secs" -timeout=10 -dict="$here/fuzz_faults.dict" \
        -artifact_prefix="$out/$id-" "$work" $seeds >"$out/$id.log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    rm -rf "$work"
    t=$(echo "$end - $start" | bc)
    if grep -q "^==backstop== FINDING\|ERROR: AddressSanitizer\|runtime error\|ERROR: libFuzzer" "$out/$id.log"; then
        why=$(grep -m1 "^==backstop== FINDING\|ERROR: \|runtime error" "$out/$id.log" | cut -c1-110)
        printf '%-36s %-8s %7.1f  %s\n' "$id" killed "$t" "$why" >"$out/$id.result"
    else
        printf '%-36s %-8s %7.1f  (rc %s)\n' "$id" survived "$t" "$rc" >"$out/$id.result"
    fi
}

ls "$dir"/fuzz_mutant_* >/dev/null 2>&1 || { echo "mutants-fuzz: no variants in $dir" >&2; exit 2; }
rm -f "$out"/*.result
n=0
for exe in "$dir"/fuzz_mutant_*; do
    run_one "$exe" &
    n=$((n + 1))
    if [ $((n % jobs)) -eq 0 ]; then wait; fi
done
wait

status=0
printf '%-36s %-8s %7s  %s\n' mutant verdict seconds "first finding"
for r in "$out"/*.result; do
    cat "$r"
    id=$(basename "$r" .result)
    if [ "$id" = baseline ]; then
        grep -q survived "$r" || status=1
    else
        grep -q killed "$r" || status=1
    fi
done
exit $status
