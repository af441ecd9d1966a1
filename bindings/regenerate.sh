#!/usr/bin/env bash
# Regenerates the committed Java bindings (src/main/java/dev/goldfishdma/gen/**) from the headers here.
#
#   bindings/regenerate.sh           rewrite the generated sources
#   bindings/regenerate.sh --check   regenerate into a scratch directory and fail if anything differs
#
# jextract is taken from $JEXTRACT, else from PATH. See bindings/README.md for the version used.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
committed="$root/src/main/java/dev/goldfishdma/gen"

jextract=${JEXTRACT:-$(command -v jextract || true)}
if [ -z "$jextract" ] || [ ! -x "$jextract" ]; then
  cat >&2 <<MSG
regenerate.sh: jextract not found (looked at \$JEXTRACT and PATH).
jextract is published in no package registry: build it from the openjdk/jextract repository
(see bindings/README.md for the commit and libclang version this project used), then run
  JEXTRACT=/path/to/bin/jextract bindings/regenerate.sh
MSG
  exit 2
fi

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run per binding: its header wrapper and its argument file (explicit --include-* lists).
# Run from this directory so that jextract's implicit "-I ." and compile_flags.txt lookup see only it.
cd "$here"
for binding in goldfish_dma libc fuse; do
  "$jextract" --output "$out" "@$binding.args" "${binding}_wrapper.h"
done

# jextract exits 0 even when an --include-* name matched nothing: verify every name made it.
missing=0
for args in *.args; do
  while read -r option name; do
    case "$option" in
      --include-constant) pattern="public static [a-zA-Z.]+ $name\(\)" ;;
      --include-struct) pattern="^public class $name " ;;
      *) continue ;;
    esac
    if ! grep -rqE "$pattern" "$out"; then
      echo "regenerate.sh: $args names $name, but jextract generated nothing for it" >&2
      missing=1
    fi
  done < "$args"
done
[ "$missing" = 0 ] || exit 1

if $check; then
  if diff -r "$committed" "$out/dev/goldfishdma/gen"; then
    echo "generated bindings are up to date"
  else
    echo "regenerate.sh --check: the committed bindings differ from jextract's output (diff above)" >&2
    exit 1
  fi
else
  rm -rf "$committed"
  mkdir -p "$committed"
  cp -r "$out/dev/goldfishdma/gen/." "$committed/"
  echo "regenerated $(find "$committed" -name '*.java' | wc -l) files under ${committed#"$root"/}"
fi
