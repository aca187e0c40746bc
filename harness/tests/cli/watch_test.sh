#!/usr/bin/env bash
# `workbook watch` as a learner uses it, in a terminal (tmux): it checks ch02 at once; saving a
# wrong countdown shows that test failing with the oracle's words; saving the fix shows it pass
# and moves on to ch03; h shows a hint; q quits and leaves the terminal as it was. Then
# `check --trace` on a wrong version (the timeline, its diagram file and the book page that shows
# it), and watch without a terminal: plain output, and SIGINT ends it with exit 0.
# Runs in a course folder whose build tree is configured and has built ch02 (the student bundle
# test calls it with its bundle); skips (exit 77) without tmux.
# Usage: watch_test.sh <course folder> <source root (for the solution and a wrong version)>
set -uo pipefail
course=$1
root=$2
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP: tmux is not installed (scripts/setup --browser installs it)"
  exit 77
fi

learner_file="$course/chapters/ch02-future-concept/countdown.hpp"
cp "$learner_file" "$work/stub.hpp"
socket="$work/tmux.sock"
session_alive=0
cleanup_tmux() {
  ((session_alive)) && tmux -S "$socket" kill-server 2>/dev/null
  cp "$work/stub.hpp" "$learner_file"
}
trap 'cleanup_tmux; rm -rf "$work"' EXIT

screen() { tmux -S "$socket" capture-pane -p -J -S -300 -t watch 2>/dev/null; }
# wait_for <what it means> <extended regex>: until the terminal shows it (a generous limit:
# a busy machine builds slowly, and nothing here measures speed).
wait_for() {
  local i
  for ((i = 0; i < 1800; i++)); do
    if screen | grep -qE -- "$2"; then return 0; fi
    sleep 0.1
  done
  fail "watch never showed $1 (looked for /$2/); the terminal shows:"
  screen | tail -n 40
  return 1
}

tmux -S "$socket" new-session -d -x 120 -y 50 -s watch \
  "cd '$course' && scripts/workbook watch ch02; echo \"watch ended: \$?\"; if stty -a | grep -q -- -icanon; then echo TERMINAL-LEFT-RAW; else echo TERMINAL-RESTORED; fi; sleep 600"
session_alive=1

wait_for "the first check of ch02" "save a file to check again" || finish ""
wait_for "the keys" "n next chapter . h hint" || finish ""

# A wrong version: the reference with chapter 2's "never wakes" mistake put in.
cp "$root/solutions/ch02-future-concept/countdown.hpp" "$work/wrong.hpp"
patch -s "$work/wrong.hpp" <"$root/harness/tests/mutants/ch02-future-concept/countdown-never-wakes/countdown.hpp.patch" ||
  fail "the wrong-on-purpose patch does not apply"
cp "$work/wrong.hpp" "$learner_file"
wait_for "the wrong version's failure" "nothing will ever wake it" || finish ""

tmux -S "$socket" send-keys -t watch h
wait_for "a hint after h" "countdown — hint [0-9] of [0-9]" || finish ""

cp "$root/solutions/ch02-future-concept/countdown.hpp" "$learner_file"
wait_for "the fix passing and the move to ch03" "Every exercise of ch02 passes. On to ch03" || finish ""
wait_for "ch03 watched" "watching chapters/ch03-" || finish ""

tmux -S "$socket" send-keys -t watch q
wait_for "q ending the watch" "watch ended: 0" || finish ""
wait_for "the terminal's settings restored" "TERMINAL-RESTORED" || finish ""

# check --trace on a wrong version: the oracle's poll/wake timeline under the failure, its
# diagram in .workbook/traces/ch02.md, and on the chapter's page of the book.
cp "$root/solutions/ch02-future-concept/countdown.hpp" "$work/stale.hpp"
patch -s "$work/stale.hpp" <"$root/harness/tests/mutants/ch02-future-concept/countdown-keeps-first-waker/countdown.hpp.patch" ||
  fail "the keeps-first-waker patch does not apply"
cp "$work/stale.hpp" "$learner_file"
(cd "$course" && scripts/workbook check ch02 --trace) >"$work/trace.log" 2>&1
grep -q "trace (waker-swap oracle" "$work/trace.log" || fail "check --trace printed no timeline: $(tail -n 30 "$work/trace.log")"
grep -q "an old one: #2 is the newest" "$work/trace.log" || fail "the timeline does not name the old waker"
grep -q -- "--- mermaid ---" "$work/trace.log" && fail "check --trace printed the diagram's source"
grep -q "sequenceDiagram" "$course/.workbook/traces/ch02.md" 2>/dev/null ||
  fail "check --trace wrote no diagram to .workbook/traces/ch02.md"
(cd "$course" && scripts/workbook book build --out "$work/site") >"$work/book.log" 2>&1 ||
  fail "book build failed: $(tail -n 5 "$work/book.log")"
grep -q "Your last trace" "$work/site/ch02-future-concept.html" 2>/dev/null ||
  fail "the chapter's page does not show the last trace"
cp "$work/stub.hpp" "$learner_file"

# Without a terminal: plain text (no escape codes), and SIGINT ends it cleanly.
(cd "$course" && exec scripts/workbook watch ch02 </dev/null >"$work/plain.log" 2>&1) &
watcher=$!
for ((i = 0; i < 1800; i++)); do
  grep -q "save a file to check again" "$work/plain.log" && break
  sleep 0.1
done
kill -INT "$watcher"
wait "$watcher"
status=$?
[[ $status == 0 ]] || fail "watch without a terminal exited $status after SIGINT (0 expected)"
grep -q $'\x1b' "$work/plain.log" && fail "watch without a terminal printed escape codes"
grep -q "keys:" "$work/plain.log" && fail "watch without a terminal offered keys it cannot read"
grep -q "ch02" "$work/plain.log" || fail "watch without a terminal did not check ch02"

finish "watch: a wrong save fails, the fix passes and moves on, h hints, q quits; plain without a terminal; check --trace shows the timeline and the page the diagram"
