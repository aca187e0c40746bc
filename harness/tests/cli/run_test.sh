#!/usr/bin/env bash
# `workbook run`: an unknown program is refused (exit 2) with the list; `run chat -- --port 0`
# starts the reference chat server, which prints the address it bound first, answers a client
# with its welcome line and exits 0 on SIGINT; `run chat --mine` on the stubs says "not started".
# Runs in the source tree after the build (the programs are up to date: run builds nothing).
# Usage: run_test.sh <workbook program> <source root>
set -uo pipefail
workbook=$1
root=$2
# shellcheck source=../shell_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell_test_lib.sh"
cd "$root" || exit 1
export WB_ROOT="$root"

"$workbook" run nope >"$work/out" 2>&1
[[ $? == 2 ]] || fail "run of an unknown program did not exit 2"
grep -q "chat" "$work/out" || fail "run of an unknown program did not list chat"

"$workbook" run chat -- --port 0 >"$work/server.out" 2>&1 &
server=$!
for ((i = 0; i < 600; i++)); do
  grep -q "^listening on 127.0.0.1:" "$work/server.out" && break
  sleep 0.1
done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.out" | head -n 1)
if [[ -z "$port" ]]; then
  fail "run chat printed no address: $(head -c 2000 "$work/server.out")"
else
  welcome=$(python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
print(s.makefile().readline().strip())' "$port")
  [[ "$welcome" == "[server] welcome"* ]] || fail "the server's first line to a client: $welcome"
fi
kill -INT "$server"
wait "$server"
status=$?
[[ $status == 0 ]] || fail "the chat server exited $status after SIGINT (0 expected)"

"$workbook" run chat --mine -- --port 0 >"$work/mine.out" 2>&1
status=$?
[[ $status != 0 ]] || fail "run chat --mine on the stubs exited 0"
grep -q "not started" "$work/mine.out" || fail "run chat --mine on the stubs did not say not started: $(head -c 2000 "$work/mine.out")"

finish "run: unknown programs refused, the chat server runs and stops on SIGINT, --mine builds the learner's"
