#!/usr/bin/env bash
# `workbook solution` on a clone of the course: it refuses before an exercise passes (exit 1,
# saying why and naming --force), shows the reference and a diff from the learner's file once
# progress says it passed (or with --force), and says so when the copy has no solutions/.
# Usage: solution_test.sh <workbook program> <source root (a git checkout)>
set -uo pipefail
workbook=$1
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
clone_course "$2"

"$workbook" solution ch02 >"$work/out" 2>&1
[[ $? == 1 ]] || fail "solution before the exercise passed did not exit 1"
grep -q -- "--force" "$work/out" || fail "the refusal does not name --force"
grep -q "wake_by_ref" "$work/out" && fail "the refusal showed the reference"

mkdir -p .workbook
cat >.workbook/progress.toml <<'TOML'
[chapters.ch02]
status = 'done'
best_points = 8
total_points = 8
last_check = '2026-12-07T00:00:00Z'
[chapters.ch02.exercises.countdown]
best_points = 8
total_points = 8
hint_level = 1
passed = true
TOML
"$workbook" solution ch02 >"$work/out" 2>&1 || fail "solution after a pass failed: $(cat "$work/out")"
grep -q "wake_by_ref" "$work/out" || fail "the reference was not shown after a pass"
grep -q "^+++ solutions/ch02-future-concept/countdown.hpp (the reference)" "$work/out" ||
  fail "no diff from the learner's file to the reference"

rm .workbook/progress.toml
"$workbook" solution ch02 --force >"$work/out" 2>&1 || fail "solution --force failed"
grep -q "wake_by_ref" "$work/out" || fail "--force did not show the reference"

rm -rf solutions
"$workbook" solution ch02 --force >"$work/out" 2>&1
[[ $? == 2 ]] || fail "solution without solutions/ did not exit 2"
grep -q "no reference solutions" "$work/out" || fail "solution without solutions/ did not say so"

finish "solution: refused before a pass, shown with a diff after one or with --force"
