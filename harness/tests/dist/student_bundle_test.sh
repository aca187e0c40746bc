#!/usr/bin/env bash
# The student bundle as a student gets it: `workbook dist student` writes it; it must hold none
# of the instructor's files (solutions, wrong versions, grading fixtures and library, the
# instructor's test suite, CI) and the learner's README, and the two commands that README gives
# must work in it — `scripts/workbook check ch02` (which sets up, configures and builds the
# bundle on its own) reports the stubs as not started, and `scripts/workbook list` lists the
# course. Then `workbook watch` is tried there as a learner uses it (cli/watch_test.sh).
# Usage: student_bundle_test.sh <workbook program> <source root>
set -uo pipefail
workbook=$1
root=$2
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
bundle="$work/bundle"

(cd "$root" && "$workbook" dist student --out "$bundle") >"$work/dist.log" 2>&1 ||
  { cat "$work/dist.log"; echo "FAIL: workbook dist student failed"; exit 1; }

for held in solutions harness/tests/mutants harness/tests/grade harness/grade .ci scripts/test; do
  [[ -e "$bundle/$held" ]] && fail "the bundle holds $held, which is for instructors only"
done
[[ -x "$bundle/scripts/workbook" ]] || fail "the bundle has no scripts/workbook"
readme="$bundle/README.md"
grep -q 'scripts/workbook check ch02' "$readme" || fail "README.md does not name the check command"
grep -q 'scripts/workbook list' "$readme" || fail "README.md does not name scripts/workbook list"
for word in 'scripts/test' 'workbook grade' 'mutant' 'verify' 'solutions/'; do
  grep -qi -- "$word" "$readme" && fail "README.md speaks of \"$word\", which is for instructors"
done
# The commands in the README's code block are the ones run below: keep them in step.
commands=$(sed -n '/^```sh$/,/^```$/p' "$readme" | grep '^scripts/' | sed 's/ *#.*//')
[[ "$commands" == $'scripts/workbook check ch02\nscripts/workbook list' ]] ||
  fail "README.md's commands changed; update this test: $commands"

# A student's machine: no build tree, nothing configured.
if (cd "$bundle" && scripts/workbook check ch02) >"$work/check.log" 2>&1; then
  fail "check ch02 on the stubs passed"
else
  status=$?
  if [[ $status != 1 ]]; then
    fail "check ch02 exited $status (1 expected: the stubs are not started)"
  fi
fi
grep -q 'not started' "$work/check.log" || fail "check ch02 did not report the stubs as not started"
(cd "$bundle" && scripts/workbook list) >"$work/list.log" 2>&1 || fail "list failed"
grep -q 'ch02' "$work/list.log" || fail "list does not show ch02"

if ((failures > 0)); then
  echo "--- check ch02 printed:"
  tail -n 30 "$work/check.log"
  exit 1
fi
echo "student bundle: no instructor's file, the learner's README, check ch02 and list work"

# `workbook watch` in the bundle a learner has, reusing the build the check above made.
bash "$(dirname "${BASH_SOURCE[0]}")/../cli/watch_test.sh" "$bundle" "$root"
status=$?
((status == 0 || status == 77)) || exit 1
