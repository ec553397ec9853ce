#!/usr/bin/env bash
# Data-set CLI traps (issue 14 item 6, issue 17), host: class names that collide after the
# 15-character cut, one class, a class without samples, files in class folders that are not
# images (skipped with a count, or refused with --strict), a FIFO in a class folder, test
# classes that the head does not know (an error listing both sets unless
# --match-by-position), --names mistakes and the pixel budget of personalize/eval/infer.
# usage: test_cli_data.sh MICROT_BINARY MODEL
set -uo pipefail
microt=$1 model=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # check NAME COMMAND...: the command must succeed
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
status_is() { # status_is WANT COMMAND...
    local want=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "  exit $got, want $want: $*"; cat "$tmp/err"; return 1; }
}
error_names() { # error_names TEXT COMMAND...: exit 1 within 20 s, one error line naming TEXT
    local text=$1; shift     # (notes, "microt: note: ...", may come before it)
    status_is 1 timeout 20 "$@" || return 1
    if [ "$(grep -vc '^microt: note: ' "$tmp/err")" -ne 1 ] || ! grep -v '^microt: note: ' "$tmp/err" | grep -qF -- "$text"; then
        echo "  want one line naming '$text':"; cat "$tmp/err"; return 1
    fi
}
# ppm FILE R G B: an 8x8 binary PPM of one colour with a little seeded noise
ppm() {
    LC_ALL=C awk -v r="$2" -v g="$3" -v b="$4" -v seed="$RANDOM" 'BEGIN {
        srand(seed); printf "P6\n8 8\n255\n"
        for (i = 0; i < 64; i++) printf "%c%c%c", r + int(rand() * 20), g + int(rand() * 20), b + int(rand() * 20)
    }' > "$1"
}
# classes DIR NAME...: one folder per name with 4 images of a colour of its own
classes() {
    local dir=$1 k=0; shift
    for name in "$@"; do
        mkdir -p "$dir/$name"
        for i in 1 2 3 4; do ppm "$dir/$name/$i.ppm" $((k * 70 % 230)) $((k * 130 % 230)) $((k * 40 % 230)); done
        k=$((k + 1))
    done
}
train=("$microt" personalize "$model" --quiet --ratio 0 -o "$tmp/head" --train)

classes "$tmp/good" red green blue
check "three classes train" status_is 0 "${train[@]}" "$tmp/good"

classes "$tmp/collide" a_very_long_name_cat a_very_long_name_dog
check "names equal after the cut are refused" error_names "both 'a_very_long_nam' after the cut" "${train[@]}" "$tmp/collide"
check "both folders are named" grep -q "a_very_long_name_cat' and 'a_very_long_name_dog'" "$tmp/err"
classes "$tmp/one" only
check "one class is refused" error_names "1 class; a head needs at least 2" "${train[@]}" "$tmp/one"

# IDX with labels 0 and 2 only: class 1 has no samples
idx_be32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
{ printf "\\0\\0\\x08\\x03$(idx_be32 8)$(idx_be32 8)$(idx_be32 8)"; head -c 512 /dev/urandom; } > "$tmp/gap-images-idx3-ubyte"
{ printf "\\0\\0\\x08\\x01$(idx_be32 8)"; printf '\0\002\0\002\0\002\0\002'; } > "$tmp/gap-labels-idx1-ubyte"
check "a class without samples is refused" error_names "class 1 (label 1) has no samples" "${train[@]}" "$tmp/gap-images-idx3-ubyte"
check "--names with a duplicate" error_names "class 'x' appears twice" "${train[@]}" "$tmp/gap-images-idx3-ubyte" --names x,y,x
check "--names too long" error_names "'abcdefghijklmnopq' is longer than 15" "${train[@]}" "$tmp/gap-images-idx3-ubyte" --names a,abcdefghijklmnopq,c
check "--names too few" error_names "--names lists 2 names, but the labels go up to 2" "${train[@]}" "$tmp/gap-images-idx3-ubyte" --names a,b
check "--names on a folder" error_names "--names is for IDX files" "${train[@]}" "$tmp/good" --names a,b,c

# Files that are not images: skipped with a count, refused with --strict.
cp -r "$tmp/good" "$tmp/notes"
echo "collected 2024" > "$tmp/notes/red/README.txt"
echo "{}" > "$tmp/notes/blue/meta.json"
check "non-image files are skipped" status_is 0 "${train[@]}" "$tmp/notes"
check "the skip is counted in a note" grep -q "^microt: note: .*notes: skipped 2 files not named like an image" "$tmp/err"
check "--strict refuses them" error_names "meta.json: not an image file" "${train[@]}" "$tmp/notes" --strict
mkdir -p "$tmp/onlytext/a" && cp -r "$tmp/good/red" "$tmp/onlytext/" && echo x > "$tmp/onlytext/a/x.txt"
check "a class of non-images is empty" error_names "onlytext/a: no images in the class folder (1 other file)" "${train[@]}" "$tmp/onlytext"
echo "not an image" > "$tmp/notes/green/broken.png"
check "a broken image is an error, not skipped" error_names "broken.png: cannot decode image" "${train[@]}" "$tmp/notes"
rm "$tmp/notes/green/broken.png"
mkfifo "$tmp/notes/green/pipe.ppm"
check "a FIFO in a class folder does not hang" error_names "pipe.ppm: is a FIFO" "${train[@]}" "$tmp/notes"
rm "$tmp/notes/green/pipe.ppm"
mkfifo "$tmp/notes/green/pipe"
check "a FIFO not named like an image is skipped" status_is 0 "${train[@]}" "$tmp/notes"

# Test classes the head does not know: an error listing both sets, unless --match-by-position.
"$microt" personalize "$model" --quiet --ratio 0.5 -o "$tmp/h3" --train "$tmp/good" > /dev/null 2>&1
cp -r "$tmp/good" "$tmp/renamed" && mv "$tmp/renamed/blue" "$tmp/renamed/azure"
check "eval with the same names" status_is 0 "$microt" eval "$model" "$tmp/h3" --test "$tmp/good" --quiet
check "eval with a renamed class is refused" error_names "1 test class not in the head: azure (the head's: blue, green, red)" "$microt" eval "$model" "$tmp/h3" --test "$tmp/renamed" --quiet
check "--match-by-position" status_is 0 "$microt" eval "$model" "$tmp/h3" --test "$tmp/renamed" --quiet --match-by-position
mkdir -p "$tmp/subset" && cp -r "$tmp/good/red" "$tmp/good/blue" "$tmp/subset/"
check "a test set with fewer classes matches by name" status_is 0 "$microt" eval "$model" "$tmp/h3" --test "$tmp/subset" --quiet
check "its classes keep their own rows" awk '$1 == "red" { red = $4 } $1 == "blue" { blue = $2 } END { exit !(red == 4 || blue == 4) }' "$tmp/out"

# The pixel budget reaches every command that decodes images.
check "personalize --max-pixels" error_names "more than the 0.0-megapixel limit" "${train[@]}" "$tmp/good" --max-pixels 63
check "eval --max-pixels" error_names "more than the 0.0-megapixel limit" "$microt" eval "$model" "$tmp/h3" --test "$tmp/good" --quiet --max-pixels 63
check "infer --max-pixels" error_names "more than the 0.0-megapixel limit" "$microt" infer "$model" "$tmp/h3" "$tmp/good/red/1.ppm" --max-pixels 63
check "infer within the budget" status_is 0 "$microt" infer "$model" "$tmp/h3" "$tmp/good/red/1.ppm" --max-pixels 64

echo "test_cli_data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
