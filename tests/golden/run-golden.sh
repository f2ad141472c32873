#!/bin/bash
# run-golden.sh FAMILY_DIR - run one golden family: every input -> expected output or error.
#
# FAMILY_DIR/cmd holds two lines:
#   glob PATTERN        the inputs, e.g. "*.yaml" (files directly in FAMILY_DIR)
#   run ARGS...         the gpuvm arguments; {} is the input's name, @{} the words in the input
# The command runs inside FAMILY_DIR, so paths in the output are stable. For input X:
#   exit 0      -> stdout must equal X.out (and stderr be empty)
#   exit N > 0  -> "exit N" + stderr (+ stdout, if any) must equal X.err
# GV_TEST_REGENERATE=1 rewrites the expectations instead of comparing. Any other file directly
# in FAMILY_DIR that no input uses is an error (stale expectations hide missing cases);
# support files go in subfolders. Needs $GPUVM (the binary under test).
set -u
dir=$1
name=$(basename "$dir")
[ -n "${GPUVM:-}" ] || { echo "golden: \$GPUVM is not set"; exit 1; }
[ -f "$dir/cmd" ] || { echo "golden $name: $dir/cmd missing"; exit 1; }
glob=$(sed -n 's/^glob //p' "$dir/cmd")
runline=$(sed -n 's/^run //p' "$dir/cmd")
[ -n "$glob" ] && [ -n "$runline" ] || { echo "golden $name: cmd needs 'glob' and 'run' lines"; exit 1; }

cd "$dir" || exit 1
regen=${GV_TEST_REGENERATE:-0}
fail=0 n=0
declare -A used=([cmd]=1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
for input in $glob; do
    [ -f "$input" ] || continue
    case $input in *.out | *.err) continue ;; esac
    n=$((n + 1))
    used[$input]=1 used[$input.out]=1 used[$input.err]=1
    words=${runline//@\{\}/$(tr '\n' ' ' < "$input")}
    words=${words//\{\}/$input}
    # shellcheck disable=SC2086
    "$GPUVM" $words > "$tmp/out" 2> "$tmp/err"
    status=$?
    if [ $status -eq 0 ]; then
        actual="$tmp/out" want="$input.out" stale="$input.err"
        if [ -s "$tmp/err" ]; then
            echo "FAIL $name/$input: exit 0 but wrote to stderr:"; cat "$tmp/err"; fail=1; continue
        fi
    else
        { echo "exit $status"; cat "$tmp/err" "$tmp/out"; } > "$tmp/errout"
        actual="$tmp/errout" want="$input.err" stale="$input.out"
    fi
    if [ "$regen" = 1 ]; then
        cp "$actual" "$want"; rm -f "$stale"; echo "wrote $name/$want"; continue
    fi
    if [ -e "$stale" ]; then
        echo "FAIL $name/$input: expected $stale but the command gave $want (exit $status)"
        head -5 "$actual"; fail=1; continue
    fi
    if [ ! -e "$want" ]; then
        echo "FAIL $name/$input: no $want (run with GV_TEST_REGENERATE=1 to create it)"
        fail=1; continue
    fi
    if ! diff -u "$want" "$actual" > "$tmp/diff"; then
        echo "FAIL $name/$input:"; head -40 "$tmp/diff"; fail=1; continue
    fi
    echo "ok   $name/$input"
done
for f in *; do
    [ -f "$f" ] || continue
    if [ -z "${used[$f]:-}" ]; then
        echo "FAIL $name: '$f' is not used by any case (remove it, or add its input)"
        fail=1
    fi
done
[ $n -gt 0 ] || { echo "FAIL $name: no inputs match '$glob'"; fail=1; }
echo "golden $name: $n cases"
exit $fail
