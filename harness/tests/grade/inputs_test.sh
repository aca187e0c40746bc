#!/usr/bin/env bash
# `workbook grade` over submissions whose names and contents are hostile inputs, in one run of
# ch02 against a built tree: a folder named --no-sandbox given after `--` (graded, sandbox on),
# `a b` and `a_b` (one Gradescope file each, the collision reported), names holding an escape
# sequence or a byte that is not UTF-8 (shown escaped or as U+FFFD in the table and the CSV), a 1 MB compile error (cut, not
# copied into every test), and an archive whose list of entries passes 4 MB (refused whole).
# Then Ctrl-C in the middle of a batch: the batch stops and its work folder is removed.
# Usage: inputs_test.sh <workbook program> <source root> <built tree with ch02's targets>
set -uo pipefail
workbook=$1
export WB_ROOT=$2
tree=$3
fixtures=$WB_ROOT/harness/tests/grade/fixtures
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
mkdir "$work/in" && cd "$work/in" || exit 1

escape=$'\e'
for name in --no-sandbox "a b" a_b "ctl${escape}[31mred" $'bad\xffutf8'; do
  mkdir -- "$name" && cp "$fixtures/correct/countdown.hpp" "./$name/"
done
mkdir huge-error
{ printf '#error '; head -c 1000000 /dev/zero | tr '\0' x; printf '\n'; } >huge-error/countdown.hpp
{
  echo "#mtree"
  for i in $(seq 1 30000); do printf './d%0150d type=dir\n' "$i"; done
} >"$work/spec"
bsdtar -czf big-listing.tar.gz "@$work/spec" || fail "could not make the archive"

"$workbook" grade --chapters ch02 --jobs 2 --time-limit 5 --no-cache --no-build -q \
  --build-tree "$tree" --format table --format csv --format json --format gradescope \
  --out "$work/out" -- * >"$work/table" 2>"$work/stderr"
status=$?
[[ $status == 1 ]] || fail "grade exited $status, not 1 (one archive cannot be read): $(cat "$work/stderr")"

# `--`: the folder named like the flag is a submission, and the sandbox stayed on
json=$work/out/grades.json
points() { jq -r --arg n "$1" '.submissions[] | select(.name == $n) | .points' "$json"; }
[[ $(points --no-sandbox) == 10 ]] || fail "--no-sandbox given after -- was not graded: $(points --no-sandbox)"
if bwrap --ro-bind / / true 2>/dev/null; then
  jq -r .sandbox "$json" | grep -q '^bubblewrap' || fail "the sandbox was turned off: $(jq -r .sandbox "$json")"
fi

# `a b` and `a_b`: a file each, and the instructor told
[[ $(jq .score "$work/out/gradescope/a_b.json") == 10 ]] || fail "a_b.json is missing"
[[ $(jq .score "$work/out/gradescope/a_b-2.json") == 10 ]] || fail "a_b-2.json is missing"
grep -q "would be written to the same a_b.json" "$work/stderr" ||
  fail "the collision was not reported: $(cat "$work/stderr")"

# an escape sequence in a name: shown as \x1b in the table and the CSV, never as the byte
grep -qF 'ctl\x1b[31mred' "$work/table" || fail "the table does not show the name escaped: $(cat "$work/table")"
grep -qF 'ctl\x1b[31mred' "$work/out/gradebook.csv" || fail "the CSV does not show the name escaped"
for file in "$work/table" "$work/stderr" "$work/out/gradebook.csv" "$json" "$work"/out/gradescope/*; do
  if grep -q "$escape" "$file"; then fail "$file holds a raw escape character"; fi
  iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1 || fail "$file is not valid UTF-8"
done
grep -qF $'bad\xef\xbf\xbdutf8' "$work/out/gradebook.csv" || fail "the CSV does not show U+FFFD for the byte 0xff"

# a 1 MB compile error: 64 KiB kept in its exercise, 4 KiB in each test
size=$(stat -c %s "$json")
((size < 400000)) || fail "grades.json is $size bytes: the compile error was copied whole"
error_bytes=$(jq -r '.submissions[] | select(.name == "huge-error") | .chapters[0].exercises[0].compile_error' "$json" | wc -c)
((error_bytes <= 65537)) || fail "the compile error kept is $error_bytes bytes"
longest=$(jq -r '[.submissions[] | select(.name == "huge-error") | .chapters[0].exercises[0].tests[].message | length] | max' "$json")
((longest <= 4096)) || fail "a test's message is $longest characters"
[[ $(jq -r '.submissions[] | select(.name == "huge-error") | .chapters[0].exercises[0].tests[0].reason' "$json") == "compile error" ]] ||
  fail "huge-error was not graded as a compile error"
echo "huge compile error: grades.json $size bytes, compile_error $error_bytes bytes, longest test message $longest"

# a list of entries past 4 MB: refused, not checked in part
jq -r '.submissions[] | select(.name == "big-listing") | .error' "$json" | grep -q "longer than 4 MB" ||
  fail "the archive with a 4.6 MB list was not refused: $(jq -r '.submissions[] | select(.name == "big-listing") | .error' "$json")"

# Ctrl-C during a batch: the batch stops, nothing interrupted is cached, the work folder goes
mkdir "$work/slow" && cp "$fixtures/infinite-loop/countdown.hpp" "$work/slow/"
"$workbook" grade --chapters ch02 --time-limit 30 --no-cache --no-build -q --build-tree "$tree" \
  --format json --out "$work/slow.json" -- "$work/slow" >"$work/slow.log" 2>&1 &
pid=$!
work_folder=$tree/grading/work-$pid
for _ in $(seq 1 3000); do  # until its test program runs (after a compile of a minute or two)
  pgrep -f -- "$work_folder/000-slow/ch02_countdown/bin/" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null || fail "grade ended before its test program ran: $(cat "$work/slow.log")"
[[ -d $work_folder ]] || fail "no work folder $work_folder while grading"
kill -INT "$pid"
wait "$pid"
status=$?
[[ $status == 130 ]] || fail "grade ended with $status after SIGINT, not 130: $(cat "$work/slow.log")"
[[ ! -e $work_folder ]] || fail "the work folder $work_folder was left behind after SIGINT"
grep -q "interrupted" "$work/slow.log" || fail "grade did not say it was interrupted: $(cat "$work/slow.log")"
pgrep -f -- "$work_folder/" >/dev/null && fail "a process of the interrupted batch is still running"

finish "grade: -- names, colliding names, escape sequences, a huge compile error, a long archive list and Ctrl-C are handled"
