#!/usr/bin/env bash
# Side-by-side speed of the C++ analyzer and pip's vaderSentiment 3.3.2 on the same texts (VADER's
# human-rated sets), one core each, run one after the other on this machine.
#
#   plugins/sentiment/bench/compare_vader_speed.sh <build-dir>
#
# Installs vaderSentiment==3.3.2 into a venv under /tmp (pip, by name and version), runs
# pyvader_speed.py and the sentiment_bench Google Benchmark (BM_ScoreText: the same work per text as
# polarity_scores), and prints both rates and their ratio.
set -euo pipefail
build=${1:?usage: compare_vader_speed.sh <build-dir>}
here=$(cd "$(dirname "$0")" && pwd)
shared=${DOCANALYSIS_SHARED_DIR:-$(cd "$here/../../../.." && pwd)/shared}
data=$shared/eval/sentiment/vader_groundtruth.json
venv=${VADER_VENV:-/tmp/docanalysis-vader-venv}
bench=$build/sentiment/sentiment_bench
[[ -f $data ]] || { echo "no $data (set DOCANALYSIS_SHARED_DIR)"; exit 1; }
[[ -x $bench ]] || { echo "no $bench: cmake --build $build --target sentiment_bench"; exit 1; }

if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import vaderSentiment' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check vaderSentiment==3.3.2
fi
py_json=$(taskset -c 0 "$venv/bin/python" "$here/pyvader_speed.py" --data "$data" --seconds "${PY_SECONDS:-10}")
echo "python vaderSentiment 3.3.2: $py_json"
cpp_json=$(DOCANALYSIS_SHARED_DIR=$shared taskset -c 0 "$bench" --benchmark_filter='BM_ScoreText|BM_ScoreDocument|BM_SegmentAndScore' \
  --benchmark_min_time=2 --benchmark_format=json 2>/dev/null)
python3 - "$py_json" "$cpp_json" <<'PY'
import json, sys
py = json.loads(sys.argv[1])["texts_per_second"]
for b in json.loads(sys.argv[2])["benchmarks"]:
    rate = b["items_per_second"]
    print(f"C++ {b['name']:<20} {rate:12.0f} texts/s   {rate / py:7.1f}x python  (per CPU second)")
PY
