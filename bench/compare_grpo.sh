#!/bin/bash
# compare_grpo.sh: one GRPO step of r1sim against the plain PyTorch GRPO loop
# (bench/torch_grpo_bench.py), the same work and shape, in one sitting.
#
# Runs `r1sim bench --grpo --csv` and torch_grpo_bench.py R times each,
# interleaved so that both see the same machine, and prints the medians of
# ms/step and of its split (rollout / reference / update) for both, with the
# ratio PyTorch / r1sim (how many times faster r1sim is) and the sgemm peak.
#
# Needs Debian's python3-torch (installed for /usr/bin/python3 only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
r1sim=${R1SIM:-$root/r1sim}
python=${PYTHON:-/usr/bin/python3}
threads=2
repeats=3
shape=()

usage() {
    cat <<EOF
usage: bench/compare_grpo.sh [--threads N] [--repeats R] [--r1sim PATH]
                             [--python PATH] [-- SHAPE OPTIONS]
Runs 'r1sim bench --grpo --csv' and bench/torch_grpo_bench.py R times each
(default 3), interleaved, at N threads (default 2), and prints a Markdown
table of the median step time and its split for both and their ratio.
Options after -- go to both programs (--B, --G, --P, --N, --minibatches,
--beta, --d, --layers, --heads, --ctx, --steps).
  --r1sim PATH   the binary (default: \$R1SIM, else $root/r1sim)
  --python PATH  a python with torch (default: \$PYTHON, else /usr/bin/python3)
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=${2:?--threads needs a value}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
    --r1sim) r1sim=${2:?--r1sim needs a value}; shift 2 ;;
    --python) python=${2:?--python needs a value}; shift 2 ;;
    --) shift; shape=("$@"); break ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare_grpo.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case $repeats in
'' | *[!0-9]* | 0) echo "compare_grpo.sh: --repeats: expected a count >= 1, got '$repeats'" >&2; exit 2 ;;
esac
case $threads in
'' | *[!0-9]* | 0) echo "compare_grpo.sh: --threads: expected a count >= 1, got '$threads'" >&2; exit 2 ;;
esac
[ -x "$r1sim" ] || { echo "compare_grpo.sh: $r1sim: not an executable (make first, or --r1sim)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null ||
    { echo "compare_grpo.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/r1sim-compare-grpo.XXXXXX")
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$repeats"); do
    echo "compare_grpo.sh: round $i of $repeats: r1sim bench --grpo" >&2
    "$r1sim" bench --grpo --csv --threads "$threads" "${shape[@]}" > "$work/r1sim-$i.csv"
    echo "compare_grpo.sh: round $i of $repeats: torch_grpo_bench.py" >&2
    "$python" "$here/torch_grpo_bench.py" --threads "$threads" "${shape[@]}" \
        --seed $((1337 + i)) --json "$work/torch-$i.json" > /dev/null 2>&1
done

"$python" - "$work" "$repeats" <<'PY'
import csv, json, os, statistics, sys

work, repeats = sys.argv[1], int(sys.argv[2])
med = statistics.median
parts = ("step", "rollout", "reference", "update")
r1 = {k: [] for k in parts + ("peak",)}
pt = {k: [] for k in parts}
for i in range(1, repeats + 1):
    with open(os.path.join(work, f"r1sim-{i}.csv")) as f:
        row = next(csv.DictReader(f))
    for k in parts:
        r1[k].append(float(row[f"{k}_ms"]))
    r1["peak"].append(float(row["sgemm_peak_gflops"]))
    with open(os.path.join(work, f"torch-{i}.json")) as f:
        t = json.load(f)
    for k in parts:
        pt[k].append(1000 * t[f"{k}_s"])
shape = (f"B{row['B']} x G{row['G']}, P{row['P']} + N{row['N']}, d {row['d']}, "
         f"{row['layers']} layers, {row['minibatches']} minibatches, beta {row['beta']}, "
         f"{row['threads']} threads")
print(f"GRPO step ({shape}): medians of {repeats} processes each, interleaved; "
      f"ratio = PyTorch / r1sim.")
print()
print("| | step ms | rollout ms | reference ms | update ms |")
print("|---|---|---|---|---|")
print("| r1sim | " + " | ".join(f"{med(r1[k]):.0f}" for k in parts) + " |")
print("| PyTorch | " + " | ".join(f"{med(pt[k]):.0f}" for k in parts) + " |")
def ratio(k):
    a, b = med(r1[k]), med(pt[k])
    return f"{b / a:.2f}×" if a > 0 else "–"
print("| ratio | " + " | ".join(ratio(k) for k in parts) + " |")
print()
n = int(row["B"]) * int(row["G"]) * int(row["N"])
print(f"Completion tokens/s: r1sim {n / med(r1['step']) * 1000:,.0f}, "
      f"PyTorch {n / med(pt['step']) * 1000:,.0f}. "
      f"BLIS sgemm peak measured by r1sim bench: {min(r1['peak']):.0f}–{max(r1['peak']):.0f} GFLOP/s.")
PY
