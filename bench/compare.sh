#!/bin/bash
# compare.sh: r1sim's engine against the PyTorch anchor in one sitting.
#
# Runs `r1sim bench --csv` and bench/torch_gpt_bench.py (same model, same
# configurations S/M/L, same thread counts) in turn, R times each, interleaved
# so that both see the same machine, and prints the medians and their ratios
# as the README's "Engine performance" table (Markdown). Machines differ
# fourfold: quote the sgemm peak line with the table.
#
# Needs Debian's python3-torch (installed for /usr/bin/python3 only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
r1sim=${R1SIM:-$root/r1sim}
python=${PYTHON:-/usr/bin/python3}
config=all
threads=
repeats=3
dry=0

usage() {
    cat <<EOF
usage: bench/compare.sh [--config S|M|L|all] [--threads N] [--repeats R]
                        [--r1sim PATH] [--python PATH] [--dry-run]
Runs 'r1sim bench --csv' and bench/torch_gpt_bench.py R times each (default
3), interleaved, and prints a Markdown table of the median training and
sampling tokens/s of both, their ratio (r1sim / PyTorch) and the share of the
BLIS sgemm peak r1sim's training reached, per configuration and thread count.
  --config C     S, M, L or all (default all)
  --threads N    one thread count (default: 1 and 2)
  --repeats R    processes of each program (default 3)
  --r1sim PATH   the binary (default: \$R1SIM, else $root/r1sim)
  --python PATH  a python with torch (default: \$PYTHON, else /usr/bin/python3)
  --dry-run      print the commands instead of running them
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
    --config) config=${2:?--config needs a value}; shift 2 ;;
    --threads) threads=${2:?--threads needs a value}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
    --r1sim) r1sim=${2:?--r1sim needs a value}; shift 2 ;;
    --python) python=${2:?--python needs a value}; shift 2 ;;
    -n | --dry-run) dry=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

case $config in
S | M | L) torch_configs=$config ;;
all) torch_configs=S,M,L ;;
*) echo "compare.sh: --config: expected S, M, L or all, got '$config'" >&2; exit 2 ;;
esac
case $repeats in
'' | *[!0-9]* | 0) echo "compare.sh: --repeats: expected a count >= 1, got '$repeats'" >&2; exit 2 ;;
esac
if [ -n "$threads" ]; then
    case $threads in
    *[!0-9]* | 0) echo "compare.sh: --threads: expected a count >= 1, got '$threads'" >&2; exit 2 ;;
    esac
fi

r1_cmd=("$r1sim" bench --csv --config "$config")
torch_cmd=("$python" "$here/torch_gpt_bench.py" --configs "$torch_configs" --repeats 1)
if [ -n "$threads" ]; then
    r1_cmd+=(--threads "$threads")
    torch_cmd+=(--threads "$threads")
else
    torch_cmd+=(--threads "1,2")
fi

if [ "$dry" = 1 ]; then
    for i in $(seq 1 "$repeats"); do
        echo "${r1_cmd[*]} > r1sim-$i.csv"
        echo "${torch_cmd[*]} --seed $((1337 + i)) --json torch-$i.json > /dev/null"
    done
    exit 0
fi

[ -x "$r1sim" ] || { echo "compare.sh: $r1sim: not an executable (make first, or --r1sim)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null ||
    { echo "compare.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/r1sim-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

for i in $(seq 1 "$repeats"); do
    echo "compare.sh: round $i of $repeats: r1sim bench" >&2
    "${r1_cmd[@]}" > "$work/r1sim-$i.csv"
    echo "compare.sh: round $i of $repeats: torch_gpt_bench.py" >&2
    "${torch_cmd[@]}" --seed $((1337 + i)) --json "$work/torch-$i.json" > /dev/null
done

"$python" - "$work" "$repeats" <<'EOF'
import csv, json, os, statistics, sys

work, repeats = sys.argv[1], int(sys.argv[2])
r1 = {}     # (config, threads) -> lists of figures
torch = {}
for i in range(1, repeats + 1):
    with open(os.path.join(work, f"r1sim-{i}.csv")) as f:
        for row in csv.DictReader(f):
            k = (row["config"], int(row["threads"]))
            d = r1.setdefault(k, {"train": [], "sample": [], "gflops": [], "peak": []})
            d["train"].append(float(row["train_tokens_per_s"]))
            d["sample"].append(float(row["sample_tokens_per_s"]))
            d["gflops"].append(float(row["train_gflops"]))
            d["peak"].append(float(row["sgemm_peak_gflops"]))
    with open(os.path.join(work, f"torch-{i}.json")) as f:
        for r in json.load(f):
            k = (r["config"], int(r["threads"]))
            d = torch.setdefault(k, {"train": [], "sample": []})
            d["train"].append(r["train_tokens_per_s"])
            d["sample"].append(r["sample_tokens_per_s"])

med = statistics.median
def n(x):
    return f"{x:,.0f}"

print(f"r1sim: medians of {repeats} `r1sim bench` processes; PyTorch: medians of "
      f"{repeats} processes of torch_gpt_bench.py; interleaved. Ratios are r1sim / PyTorch.")
print()
print("| cfg | thr | train r1sim | train PyTorch | ratio | of sgemm peak "
      "| sample r1sim | sample PyTorch | ratio |")
print("|---|---|---|---|---|---|---|---|---|")
peaks = {}
for k in sorted(r1, key=lambda k: ("SML".index(k[0]), k[1])):
    a, b = r1[k], torch.get(k)
    tr, sa = med(a["train"]), med(a["sample"])
    share = 100 * med([g / p for g, p in zip(a["gflops"], a["peak"])])
    peaks.setdefault(k[1], []).extend(a["peak"])
    if b:
        ttr, tsa = med(b["train"]), med(b["sample"])
        print(f"| {k[0]} | {k[1]} | {n(tr)} | {n(ttr)} | {tr / ttr:.2f}× | {share:.0f} % "
              f"| {n(sa)} | {n(tsa)} | {sa / tsa:.2f}× |")
    else:
        print(f"| {k[0]} | {k[1]} | {n(tr)} | – | | {share:.0f} % | {n(sa)} | – | |")
print()
print("BLIS sgemm peak measured by r1sim bench: " + "; ".join(
    f"{min(v):.0f}–{max(v):.0f} GFLOP/s on {t} thread{'s' if t > 1 else ''}"
    for t, v in sorted(peaks.items())))
EOF
