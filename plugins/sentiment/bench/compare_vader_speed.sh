#!/usr/bin/env bash
# Side-by-side speed of the C++ analyzer and pip's vaderSentiment 3.3.2 on the same texts (VADER's
# human-rated sets), both pinned to one core, alternating for ROUNDS rounds (default 3) so that
# both see the same machine load; prints each round and the median rates and ratio.
#
#   plugins/sentiment/bench/compare_vader_speed.sh <build-dir>
#
# Installs vaderSentiment==3.3.2 into a venv under /tmp (pip, by name and version), runs
# pyvader_speed.py and the sentiment_bench Google Benchmark: BM_ScoreText is the same work per text
# as polarity_scores (raw text in, scores out); BM_ScoreDocument is the plugin's work on text the
# host has segmented; BM_SegmentAndScore adds the host's segmenter. Rates are per CPU second.
set -euo pipefail
build=${1:?usage: compare_vader_speed.sh <build-dir>}
here=$(cd "$(dirname "$0")" && pwd)
shared=${DOCANALYSIS_SHARED_DIR:-$(cd "$here/../../../.." && pwd)/shared}
data=$shared/eval/sentiment/vader_groundtruth.json
venv=${VADER_VENV:-/tmp/docanalysis-vader-venv}
bench=$build/sentiment/sentiment_bench
rounds=${ROUNDS:-3}
[[ -f $data ]] || { echo "no $data (set DOCANALYSIS_SHARED_DIR)"; exit 1; }
[[ -x $bench ]] || { echo "no $bench: cmake --build $build --target sentiment_bench"; exit 1; }

if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import vaderSentiment' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check vaderSentiment==3.3.2
fi
results=()
for ((r = 1; r <= rounds; r++)); do
  py=$(taskset -c 0 "$venv/bin/python" "$here/pyvader_speed.py" --data "$data" --seconds "${PY_SECONDS:-5}")
  cpp=$(DOCANALYSIS_SHARED_DIR=$shared taskset -c 0 "$bench" --benchmark_filter='BM_ScoreText|BM_ScoreDocument|BM_SegmentAndScore' \
    --benchmark_min_time=1 --benchmark_format=json 2>/dev/null)
  results+=("$(python3 -c 'import json,sys; print(json.dumps({"py": json.loads(sys.argv[1]), "cpp": json.loads(sys.argv[2])["benchmarks"]}))' "$py" "$cpp")")
done
printf '%s\n' "${results[@]}" | python3 "$here/summarize_speed.py"
