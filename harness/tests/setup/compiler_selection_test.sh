#!/usr/bin/env bash
# scripts/setup and scripts/configure on a machine whose default g++ is too old (Ubuntu 22.04,
# Gradescope's image: g++ 11): setup selects a compiler that works instead of asking for "g++"
# again, and the build tree is configured with it. The old g++ is a stand-in first on PATH that
# answers as g++ 11 does; nothing is installed (--dry-run) and nothing is downloaded.
# Usage: compiler_selection_test.sh <source dir>
set -uo pipefail

root=$(cd "${1:?usage: compiler_selection_test.sh <source dir>}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/wb-setup-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

pass() { echo "ok: $1"; }
fail() {
  echo "FAILED: $1" >&2
  failures=$((failures + 1))
}

# A g++ that reports version 11 and compiles nothing.
mkdir -p "$work/old-gxx"
cat >"$work/old-gxx/g++" <<'SHIM'
#!/bin/sh
case "$1" in
  -dumpfullversion | -dumpversion) echo 11.4.0 ;;
  --version) echo "g++ (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0" ;;
  *) echo "g++ 11 stand-in: not a compiler" >&2; exit 1 ;;
esac
SHIM
chmod +x "$work/old-gxx/g++"

# A machine with only the old g++: every program of /usr/bin except the C++ compilers.
only_old_gxx() {  # only_old_gxx <dir> [compiler to keep…]
  local dir=$1 program name keep
  shift
  mkdir -p "$dir"
  for program in /usr/bin/*; do
    name=${program##*/}
    case "$name" in g++* | c++* | clang* | *-g++* | *-c++*) continue ;; esac
    ln -s "$program" "$dir/$name"
  done
  for keep in "$@"; do ln -s "$(command -v "$keep")" "$dir/$keep"; done
  ln -s "$work/old-gxx/g++" "$dir/g++"
}

gxx12=$(command -v g++-12 || true)
if [[ -z "$gxx12" ]]; then
  fail "this test needs g++-12 on the machine running it (Debian 12: apt-get install g++-12)"
  exit 1
fi

# 1. g++ 11 first on PATH, g++-12 installed beside it, no clang: setup selects g++-12, and a
#    tree configured through scripts/configure compiles with it.
only_old_gxx "$work/gxx12" g++-12
selected=$(PATH="$work/gxx12" CXX='' "$root/scripts/setup" --print-compiler 2>"$work/setup.err")
status=$?
if ((status == 0)) && [[ "$(readlink -f "$selected")" == "$(readlink -f "$gxx12")" ]]; then
  pass "with g++ 11 as the default and g++-12 installed, setup selects $selected"
else
  fail "with g++ 11 as the default and g++-12 installed, setup exited $status and selected '$selected' (expected $gxx12): $(cat "$work/setup.err")"
fi
if PATH="$work/gxx12" CXX='' "$root/scripts/configure" debug -B "$work/tree" >"$work/configure.log" 2>&1; then
  used=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$work/tree/CMakeCache.txt")
  version=$(sed -n 's/^set(CMAKE_CXX_COMPILER_VERSION "\(.*\)")$/\1/p' \
    "$work/tree/CMakeFiles/"*/CMakeCXXCompiler.cmake)
  if [[ "$(readlink -f "$used")" == "$(readlink -f "$gxx12")" && "$version" == 12.* ]]; then
    pass "scripts/configure configured the tree with $used (GCC $version)"
  else
    fail "scripts/configure configured the tree with '$used' (version '$version'), not $gxx12"
  fi
else
  fail "scripts/configure failed; the end of its output: $(tail -n 15 "$work/configure.log")"
fi

# 2. Only g++ 11, nothing newer installed: setup would install a newer compiler the distribution
#    offers (not "g++" again), and selects it.
only_old_gxx "$work/bare"
selected=$(PATH="$work/bare" CXX='' "$root/scripts/setup" --dry-run --print-compiler 2>"$work/setup.err")
status=$?
if ((status == 0)) && [[ "$selected" =~ ^(g\+\+-1[2-9]|clang\+\+-(1[4-9]|[2-9][0-9]))$ ]] &&
  grep -q "install -y --no-install-recommends.* ${selected/clang++-/clang-}" "$work/setup.err" &&
  ! grep -qE "install -y --no-install-recommends(.* )?g\+\+( |$)" "$work/setup.err"; then
  pass "with only g++ 11, setup would install ${selected/clang++-/clang-} and select $selected"
else
  fail "with only g++ 11, setup --dry-run exited $status and selected '$selected'; it said: $(cat "$work/setup.err")"
fi

# 3. Only g++ 11 and clang++ 14 or newer (with libstdc++ 12): setup selects clang++.
if command -v clang++ >/dev/null 2>&1; then
  only_old_gxx "$work/with-clang" clang++
  selected=$(PATH="$work/with-clang" CXX='' "$root/scripts/setup" --print-compiler 2>"$work/setup.err")
  status=$?
  if ((status == 0)) && [[ "$selected" == "$work/with-clang/clang++" ]]; then
    pass "with g++ 11 and clang++ installed, setup selects clang++"
  else
    fail "with g++ 11 and clang++ installed, setup exited $status and selected '$selected': $(cat "$work/setup.err")"
  fi
fi

# 4. g++ 12 and clang++ 14 or newer both there (Debian 12 with clang installed): setup selects
#    clang++, whose compiles of a test file take a third of GCC's time.
if command -v clang++ >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; then
  selected=$(CXX='' "$root/scripts/setup" --print-compiler 2>"$work/setup.err")
  status=$?
  if ((status == 0)) && [[ "$(readlink -f "$selected")" == "$(readlink -f "$(command -v clang++)")" ]]; then
    pass "with g++ and clang++ both installed, setup selects clang++"
  else
    fail "with g++ and clang++ both installed, setup exited $status and selected '$selected' (expected clang++): $(cat "$work/setup.err")"
  fi
fi

((failures == 0)) || exit 1
