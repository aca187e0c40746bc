#!/usr/bin/env bash
# `workbook reset` on a clone of the course: a chapter's changed file goes back to its stub with
# the learner's version saved first; `--all` does every chapter with one backup folder; wrong
# arguments and a missing terminal change nothing.
# Usage: reset_test.sh <workbook program> <source root (a git checkout)>
set -uo pipefail
workbook=$1
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
clone_course "$2"
countdown=chapters/ch02-future-concept/countdown.hpp
users=chapters/ch11-streams/users.hpp

echo "// my attempt" >>"$countdown"
"$workbook" reset ch02 </dev/null >"$work/out" 2>&1
[[ $? == 2 ]] || fail "reset without a terminal and without --yes did not exit 2"
grep -q "my attempt" "$countdown" || fail "reset without --yes changed the file"
"$workbook" reset ch02 --yes >"$work/out" 2>&1 || fail "reset ch02 --yes failed: $(cat "$work/out")"
grep -q "my attempt" "$countdown" && fail "reset ch02 left the learner's version in place"
git diff --quiet -- "$countdown" || fail "reset ch02 did not give back the committed stub"
grep -rq "my attempt" .workbook/backups/ch02/ || fail "reset ch02 saved no copy of the learner's version"

echo "// attempt two" >>"$countdown"
echo "// attempt three" >>"$users"
"$workbook" reset --all --yes >"$work/out" 2>&1 || fail "reset --all --yes failed: $(cat "$work/out")"
git diff --quiet -- chapters || fail "reset --all left changes: $(git diff --stat -- chapters)"
folders=$(find .workbook/backups -maxdepth 1 -name 'all-*' | wc -l)
[[ $folders == 1 ]] || fail "reset --all made $folders backup folders, not one"
grep -rq "attempt two" .workbook/backups/all-*/ch02/ || fail "reset --all saved no copy of ch02"
grep -rq "attempt three" .workbook/backups/all-*/ch11/ || fail "reset --all saved no copy of ch11"

"$workbook" reset --all --yes >"$work/out" 2>&1 || fail "reset --all of stubs failed"
grep -q "Nothing to reset" "$work/out" || fail "reset --all of stubs did not say there was nothing to do"
for args in "" "ch02 --all" "--all --exercise countdown" "ch02 --exercise nosuch --yes"; do
  # shellcheck disable=SC2086
  "$workbook" reset $args </dev/null >"$work/out" 2>&1
  [[ $? == 2 ]] || fail "reset $args did not exit 2"
done

finish "reset: a chapter, --all with one backup folder, and wrong arguments all as expected"
