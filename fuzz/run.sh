#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) on its corpus, one after the other:
#   fuzz/run.sh [SECONDS] [TARGET...]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds the corpus
# first when it is missing. A crash stops that target (its input is in fuzz/artifacts/<target>/)
# and the others still run; the script fails at the end if any target crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(logistic_model boosted_model ltr_model uplift_model ticket_file catalog feature_definitions history survey_csv service_request)
fi
[ -d fuzz/corpus ] || fuzz/seed.sh
mkdir -p fuzz/logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: ${seconds}s"
  (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1) \
      >"fuzz/logs/$t.log" 2>&1 || failed+=("$t")
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done|SUMMARY" "fuzz/logs/$t.log" | tr '\n' ' '
  echo
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (see fuzz/logs/ and fuzz/artifacts/)"
  exit 1
fi
