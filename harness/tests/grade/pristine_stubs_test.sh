#!/usr/bin/env bash
# `workbook grade` in an instructor's checkout whose chapters/ holds a solved exercise: a
# submission made of `#include_next <countdown.hpp>` (fixtures/includes-next) reached the solved
# file and got 10/10. Graded against the stubs from git it gets nothing, and grade warns that
# chapters/ differs from git. A clone of the course with ch02 solved is configured and its ch02
# built (-j 1, no sanitizers: a few minutes).
# Usage: pristine_stubs_test.sh <workbook program> <source root> <a configured tree (its compiler)>
set -uo pipefail
workbook=$1
source_root=$2
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$3/CMakeCache.txt")
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
clone_course "$source_root"
chmod 755 "$work"  # the sandbox's users compile from the clone: mktemp -d made it 0700
cp solutions/ch02-future-concept/countdown.hpp chapters/ch02-future-concept/countdown.hpp
tree=$work/course/build/grading
cmake -S . -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" \
  -DWB_SANITIZERS= ${compiler:+"-DCMAKE_CXX_COMPILER=$compiler"} >"$work/configure.log" 2>&1 ||
  { fail "configuring the clone failed: $(tail -5 "$work/configure.log")"; finish ""; }
cmake --build "$tree" -j 1 --target ch02_countdown >"$work/build.log" 2>&1 ||
  { fail "building ch02 in the clone failed: $(tail -5 "$work/build.log")"; finish ""; }

"$workbook" grade --chapters ch02 --no-cache --no-build --build-tree "$tree" --format json \
  --out "$work/grades.json" -- "$source_root/harness/tests/grade/fixtures/includes-next" \
  >"$work/out" 2>&1
status=$?
[[ $status == 0 ]] || fail "grade exited $status: $(cat "$work/out")"
points=$(jq '.submissions[0].points' "$work/grades.json")
[[ $points == 0 ]] || fail "#include_next reached the solved countdown.hpp: $points points"
reasons=$(jq -r '[.submissions[0].chapters[0].exercises[0].tests[].reason] | unique | join(",")' "$work/grades.json")
[[ $reasons == "not started" ]] ||
  fail "the tests failed for another reason than the stub's: $reasons: $(jq -r '.submissions[0].chapters[0].exercises[0].compile_error' "$work/grades.json")"
grep -q "differs from the stubs in git (ch02-future-concept/countdown.hpp)" "$work/out" ||
  fail "grade did not warn that chapters/ differs from git: $(cat "$work/out")"

finish "grade: a solved chapters/ is not reachable by #include_next; the stubs come from git"
