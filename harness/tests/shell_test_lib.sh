# What the harness's shell tests share (sourced, not run): a scratch folder removed on exit,
# fail/finish that count failures, and a clone of the course to change without touching this
# checkout.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# finish <what passed>: exits 1 after any failure, else prints what passed.
finish() {
  ((failures == 0)) || exit 1
  echo "$1"
}

# clone_course <source root>: clones it to $work/course, enters it, and points the workbook at it.
clone_course() {
  git clone -q "$1" "$work/course" || { echo "FAIL: cannot clone $1"; exit 1; }
  cd "$work/course" || exit 1
  export WB_ROOT="$work/course" WB_BUILD_DIR="$work/course/build/debug"
}
