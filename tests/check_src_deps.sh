#!/usr/bin/env bash
# No dependency cycles between the device library's files (issue 16, item 5): builds the
# graph "object A uses a symbol that object B defines" from the static library's symbol
# tables (nm) and fails if tsort finds a loop. Prints the layers, leaves first.
# usage: tests/check_src_deps.sh LIBMICROT.a
set -euo pipefail
lib=$1
nm_out=$(nm -A --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDRBC]$/ { split($1, a, ":"); print a[2], $3 }')
und=$(nm -A --undefined-only "$lib" 2>/dev/null | awk '{ split($1, a, ":"); print a[2], $NF }')
edges=$(awk 'NR == FNR { def[$2] = $1; next } ($2 in def) && def[$2] != $1 { print $1, def[$2] }' \
    <(echo "$nm_out") <(echo "$und") | sort -u)
objs=$(echo "$nm_out" | awk '{ print $1 }' | sort -u)
# every object is a node (self edges keep the isolated ones in tsort's output)
order=$( { echo "$edges"; for o in $objs; do echo "$o $o"; done; } | tsort 2>&1) || true
if echo "$order" | grep -q "input contains a loop"; then
    echo "$order" | grep -A20 "loop" >&2
    echo "check_src_deps: the library's files depend on each other in a cycle" >&2
    exit 1
fi
echo "check_src_deps: $(echo "$objs" | wc -l) objects, $(echo "$edges" | grep -c . || true) dependencies, no cycle"
echo "$edges" | awk '{ print "  " $1 " -> " $2 }' | grep -v "_host\|_ref\|_dsp" | sed 's/\.c\.o//g; s/\.obj//g' || true
