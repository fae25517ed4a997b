#!/usr/bin/env bash
# The benchmark (README "Performance"): on one generated pile, forms per second for `extract` and
# `summarise` at 1 thread and at all threads, the floor (open each file and inflate its main XML
# part, nothing else), peak memory, a plain python-docx + openpyxl roll-up on the same pile when
# those are importable, and peak memory of `summarise` on 10,000 returns.
#
#   bench/run.sh                      # 2,000 returns, seed 42, median of 3 runs
#   BENCH_N=500 BENCH_RUNS=1 bench/run.sh
#
# Settings (environment): BENCH_N (2000) BENCH_SEED (42) BENCH_RUNS (3) BENCH_BIG (10000; 0 skips
# the memory check) BENCH_PYTHON (a python with python-docx and openpyxl; default: python3, then
# target/bench-venv) BENCH_INSTALL_PYTHON=1 (create target/bench-venv with pip when neither has them)
# BENCH_NO_PYTHON=1 (skip the python baseline).
# Piles are generated once under target/bench/ and reused. Results: stdout and target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_N:-2000}
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
BIG=${BENCH_BIG:-10000}
WORK=target/bench
BIN=target/release/cpoms-qa
AS_OF=2026-01-01
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for peak memory)..." >&2
    apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }
fi

echo "building release..." >&2
cargo build --release --quiet

pile() { # pile COUNT -> folder (generated once)
    local dir="$WORK/pile-$1-s$SEED"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        echo "generating $1 returns (seed $SEED) into $dir..." >&2
        "$BIN" generate --count "$1" --seed "$SEED" -o "$dir" 2>/dev/null
        touch "$dir/.complete"
    fi
    echo "$dir"
}

CORES=$(nproc)
THREADS_FLAG=0
if "$BIN" extract --help 2>/dev/null | grep -q -- '--threads'; then THREADS_FLAG=1; fi

# run_once THREADS CMD... -> "seconds maxrss_kib" (one run; needs bash 5 for EPOCHREALTIME)
run_once() {
    local t=$1; shift
    local out="$WORK/time.$$"
    local extra=()
    if [ "$THREADS_FLAG" = 1 ]; then extra=(--threads "$t"); fi
    local start=$EPOCHREALTIME
    RAYON_NUM_THREADS=$t /usr/bin/time -f "%M" -o "$out" "$BIN" --quiet "${extra[@]}" "$@" >/dev/null 2>&1 || true
    local end=$EPOCHREALTIME
    # Wall time to the microsecond (GNU time's %e has only centiseconds); peak RSS from GNU time.
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $(tail -n 1 "$out")"
    rm -f "$out"
}

# measure THREADS CMD... -> "median_seconds max_rss_kib" over $RUNS runs
measure() {
    local times=() rss=0 line s m
    for _ in $(seq "$RUNS"); do
        line=$(run_once "$@")
        s=${line% *}; m=${line#* }
        times+=("$s")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
    echo "$median $rss"
}

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

PILE=$(pile "$N")
SIZE=$(du -sh "$PILE" | cut -f1)
DOCX=$(find "$PILE" -name '*.docx' | wc -l)
XLSX=$(find "$PILE" -name '*.xlsx' | wc -l)

RESULTS="$WORK/results.md"
{
    echo "Pile: $N generated returns (seed $SEED; $DOCX .docx, $XLSX .xlsx; $SIZE), $CORES cores, median of $RUNS runs."
    echo "$(uname -sm); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| run | threads | seconds | forms/s | peak memory (MiB) |"
    echo "| --- | ---: | ---: | ---: | ---: |"
} | tee "$RESULTS"

declare -A SECS
for t in 1 "$CORES"; do
    for what in floor extract summarise; do
        case $what in
            floor) read -r s m < <(measure "$t" floor "$PILE") ;;
            extract) read -r s m < <(measure "$t" extract --jsonl "$PILE") ;;
            summarise) read -r s m < <(measure "$t" summarise "$PILE" -o "$WORK/summary.xlsx" --as-of "$AS_OF") ;;
        esac
        SECS[$what-$t]=$s
        echo "| $what | $t | $s | $(rate "$N" "$s") | $(mib "$m") |" | tee -a "$RESULTS"
    done
done

PY_LINE=""
if [ "${BENCH_NO_PYTHON:-0}" != 1 ]; then
    PY=""
    for candidate in "${BENCH_PYTHON:-}" python3 target/bench-venv/bin/python; do
        if [ -n "$candidate" ] && "$candidate" -c 'import docx, openpyxl' >/dev/null 2>&1; then PY=$candidate; break; fi
    done
    if [ -z "$PY" ] && [ "${BENCH_INSTALL_PYTHON:-0}" = 1 ]; then
        echo "installing python-docx and openpyxl into target/bench-venv..." >&2
        python3 -m venv target/bench-venv && target/bench-venv/bin/pip install -q python-docx openpyxl && PY=target/bench-venv/bin/python
    fi
    if [ -n "$PY" ]; then
        echo "running the python-docx + openpyxl roll-up (single run; slow)..." >&2
        out="$WORK/time.py"
        /usr/bin/time -f "%e %M" -o "$out" "$PY" bench/python_rollup.py "$PILE" "$WORK/python-summary.xlsx" >/dev/null 2>&1 || true
        read -r ps pm < <(tail -n 1 "$out"); rm -f "$out"
        echo "| python-docx + openpyxl | 1 | $ps | $(rate "$N" "$ps") | $(mib "$pm") |" | tee -a "$RESULTS"
        PY_LINE="summarise is $(ratio "$ps" "${SECS[summarise-$CORES]}")x faster than the python roll-up ($(ratio "$ps" "${SECS[summarise-1]}")x on 1 thread against its 1)."
    else
        PY_LINE="python baseline skipped: python-docx and openpyxl not importable (BENCH_INSTALL_PYTHON=1 installs them into target/bench-venv)."
    fi
fi

{
    echo
    echo "extract / floor: $(ratio "${SECS[extract-1]}" "${SECS[floor-1]}") on 1 thread, $(ratio "${SECS[extract-$CORES]}" "${SECS[floor-$CORES]}") on $CORES."
    [ -n "$PY_LINE" ] && echo "$PY_LINE"
} | tee -a "$RESULTS"

if [ "$BIG" -gt 0 ]; then
    BIGPILE=$(pile "$BIG")
    read -r s m < <(RUNS=1 measure "$CORES" summarise "$BIGPILE" -o "$WORK/summary-big.xlsx" --as-of "$AS_OF")
    echo "Memory check: summarise on $BIG returns: peak $(mib "$m") MiB, $s s ($(rate "$BIG" "$s") forms/s) on $CORES threads." | tee -a "$RESULTS"
fi
