#!/usr/bin/env bash
# `workbook grade *` where a submission is named like an option: the shell passes `--no-sandbox`
# as the flag, so grade refuses (exit 2, saying why) instead of grading without its sandbox; a
# submission whose name starts with '-' (given as ./-x) is refused the same way, unless it comes
# after `--`. Nothing is graded, so this runs in a moment.
# Usage: option_names_test.sh <workbook program> <source root>
set -uo pipefail
workbook=$1
export WB_ROOT=$2
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
cd "$work" || exit 1
mkdir -- alice --no-sandbox

"$workbook" grade * --chapters ch02 >out 2>&1
status=$?
[[ $status == 2 ]] || fail "grade * with a folder named --no-sandbox exited $status, not 2: $(cat out)"
grep -q "named --no-sandbox" out || fail "grade * did not say why: $(cat out)"

mkdir -- -x
"$workbook" grade --chapters ch02 alice ./-x >out 2>&1
status=$?
[[ $status == 2 ]] || fail "grade alice ./-x exited $status, not 2: $(cat out)"
grep -q "starts with '-'" out || fail "grade alice ./-x did not say why: $(cat out)"

grep -q "put -- before the submissions" out || fail "grade alice ./-x did not offer --: $(cat out)"

# After `--` every word is a submission: a flag's name there sets nothing. Were --no-build set,
# grade would skip the build and find no build.ninja in the tree named; unset, it tries to build
# that tree and says so.
"$workbook" grade --chapters ch02 --build-tree "$work/no-tree" -- alice --no-build >out 2>&1
status=$?
[[ $status == 2 ]] || fail "grade -- alice --no-build exited $status, not 2: $(cat out)"
grep -q "does not build in" out || fail "grade -- alice --no-build set the flag: $(cat out)"
grep -q "starts with '-'" out && fail "a name after -- was refused: $(cat out)"

"$workbook" grade --chapters ch02 >out 2>&1
status=$?
[[ $status == 2 ]] || fail "grade without submissions exited $status, not 2: $(cat out)"

finish "grade: names shaped like options are refused before anything is graded, and -- takes them"
