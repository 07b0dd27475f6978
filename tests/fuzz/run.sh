#!/usr/bin/env bash
# Builds the AGI protocol fuzzer (tests/fuzz/fuzz_agi.cpp + lib/agi/protocol.cpp) with clang's
# libFuzzer, ASan and UBSan, and runs it for a bounded time from the seed corpus.
#
#   tests/fuzz/run.sh                 # 60 s
#   FUZZ_SECONDS=600 tests/fuzz/run.sh
#   tests/fuzz/run.sh crash-1234      # replay one input (extra arguments go to libFuzzer)
#
# FUZZ_SECONDS  run time in seconds (default 60)
# FUZZ_OUT      build and work directory (default ${TMPDIR:-/tmp}/smartroute-fuzz-agi); the
#               corpus it grows there is reused by the next run, crash files land there too
# CXX_FUZZ      the compiler (default clang++, else clang++-14)
# Exits 125 when clang or its fuzzer runtime is missing (Debian: clang libclang-rt-14-dev),
# 0 when the run found nothing, non-zero with the crash input's path otherwise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/smartroute-fuzz-agi}

cxx=${CXX_FUZZ:-}
if [ -z "$cxx" ]; then
  for c in clang++ clang++-14; do
    if command -v "$c" >/dev/null; then
      cxx=$c
      break
    fi
  done
fi
if [ -z "$cxx" ] || ! command -v "$cxx" >/dev/null; then
  echo "skip: ${cxx:-clang++} not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 125
fi
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

mkdir -p "$out/corpus"
# A trivial target first: a failure here means the toolchain, not our code.
probe="$out/probe.cpp"
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' >"$probe"
if ! "$cxx" "${flags[@]}" "$probe" -o "$out/probe" 2>"$out/probe.log"; then
  cat "$out/probe.log" >&2
  echo "skip: $cxx cannot build a libFuzzer target (apt-get install libclang-rt-14-dev)" >&2
  exit 125
fi

echo "building $out/fuzz_agi with $cxx" >&2
"$cxx" "${flags[@]}" -Wall -Wextra -I"$root/lib" \
  "$root/lib/agi/protocol.cpp" "$here/fuzz_agi.cpp" -o "$out/fuzz_agi"

if [ $# -gt 0 ] && [ -f "$1" ]; then # replay
  exec "$out/fuzz_agi" "$@"
fi

# New inputs go to the first directory (the work corpus), never into the seeds.
echo "fuzzing for ${seconds}s" >&2
status=0
"$out/fuzz_agi" "$out/corpus" "$here/corpus" \
  -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: the fuzzer stopped with status $status; inputs:" >&2
  ls -1 "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null >&2 || true
  [ "$status" -eq 125 ] && status=1 # 125 means "skipped" to ctest
  exit "$status"
fi
