#!/usr/bin/env bash
# Regenerates the committed Java bindings from the headers here, for x86_64 and aarch64.
#
#   bindings/regenerate.sh           rewrite the generated sources and bindings/manifest.txt
#   bindings/regenerate.sh --check   regenerate into a scratch directory; report whether the inputs match
#                                    manifest.txt and whether the output matches the committed sources
#
# Exit status of --check: 0 inputs and output match; 1 the output differs; 3 the output matches but the
# inputs differ from manifest.txt; 2 the check could not run (no jextract, a pinned package unavailable, ...).
#
# jextract is taken from $JEXTRACT, else /opt/jextract/bin/jextract, else PATH (bindings/README.md says how
# to build it). Pinned header packages (packages.pin) are fetched with apt-get download into a cache,
# ${GOLDFISH_BINDINGS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goldfish-dma/bindings}, and never installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
manifest="$here/manifest.txt"
cache=${GOLDFISH_BINDINGS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goldfish-dma/bindings}

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

fail() { # exit status 2: could not run
  echo "regenerate.sh: $*" >&2
  exit 2
}

jextract=${JEXTRACT:-}
if [ -z "$jextract" ]; then
  if [ -x /opt/jextract/bin/jextract ]; then
    jextract=/opt/jextract/bin/jextract
  else
    jextract=$(command -v jextract || true)
  fi
fi
if [ -z "$jextract" ] || [ ! -x "$jextract" ]; then
  fail "jextract not found (looked at \$JEXTRACT, /opt/jextract/bin/jextract and PATH).
jextract is published in no package registry: build it with bindings/build-jextract.sh from a checkout of
the openjdk/jextract repository at the commit in bindings/manifest.txt (see bindings/README.md)."
fi

# The x86_64 bindings come from this machine's own headers: only an x86_64 Debian machine reproduces them.
host_arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
[ "$host_arch" = amd64 ] || fail "the bindings are generated on an x86_64 (amd64) Debian machine; this one is '$host_arch'"

# The x86_64 C library and kernel headers are the system's.
for package in libc6-dev linux-libc-dev; do
  dpkg-query -W -f '${Status}' "$package:amd64" 2>/dev/null | grep -q 'install ok installed' ||
    fail "the x86_64 bindings come from the system's headers: install the distribution's $package (apt-get install libc6-dev)"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# ---------------------------------------------------------------------------------------------------------
# Pinned header packages: fetched once into the cache with the distribution's tools, verified, unpacked.

pins=()
while read -r name version arch suite sha use; do
  case "$name" in ''|\#*) continue ;; esac
  pins+=("$name $version $arch $suite $sha")
done <"$here/packages.pin"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

fetch_pins() {
  mkdir -p "$cache"
  local missing=() pin name version arch suite sha
  for pin in "${pins[@]}"; do
    read -r name version arch suite sha <<<"$pin"
    local deb="$cache/${name}_${version}_${arch}.deb"
    if [ ! -f "$deb" ] || [ "$(sha256 "$deb")" != "$sha" ]; then
      missing+=("$pin")
    fi
  done
  [ ${#missing[@]} = 0 ] && return 0

  # A private apt configuration (sources, lists, cache under the scratch directory) that reads the
  # distribution's archive from the mirror this machine already uses for bookworm.
  local repo
  repo=$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
    awk '$2 == "bookworm" { print $1; exit }')
  [ -n "$repo" ] || fail "no bookworm source in this machine's apt configuration, to fetch the pinned header packages from"
  local apt="$scratch/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$apt/debs"
  local suites
  suites=$(for pin in "${missing[@]}"; do read -r _ _ _ suite _ <<<"$pin"; echo "$suite"; done | sort -u | tr '\n' ' ')
  for suite in $suites; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $repo $suite main"
  done >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root -q)
  echo "fetching the pinned header packages (${#missing[@]}) from ${suites% }"
  apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; fail "apt-get update (private configuration) failed"; }
  for pin in "${missing[@]}"; do
    read -r name version arch suite sha <<<"$pin"
    if ! (cd "$apt/debs" && apt-get "${opts[@]}" download "$name=$version" >"$apt/download.log" 2>&1); then
      local now
      now=$(apt-cache "${opts[@]}" policy "$name" 2>/dev/null | sed -n 's/^ *Candidate: //p')
      cat "$apt/download.log" >&2
      fail "the pinned $name $version is not in $suite any more (it has ${now:-nothing}): choose a version in
bindings/packages.pin (with its sha256), then regenerate and commit the bindings and manifest.txt"
    fi
    local got="$apt/debs/${name}_${version#*:}_${arch}.deb"
    [ -f "$got" ] || fail "apt-get download of $name=$version made no ${got##*/}"
    [ "$(sha256 "$got")" = "$sha" ] || fail "$name $version: sha256 $(sha256 "$got") is not the pinned $sha"
    mv "$got" "$cache/${name}_${version}_${arch}.deb"
  done
}

fetch_pins
headers="$scratch/headers"
for pin in "${pins[@]}"; do
  read -r name version arch suite sha <<<"$pin"
  mkdir -p "$headers/$name"
  dpkg-deb -x "$cache/${name}_${version}_${arch}.deb" "$headers/$name"
done
# Both cross packages install under /usr/aarch64-linux-gnu/include: one tree for the aarch64 C library.
aarch64_libc="$scratch/aarch64-libc"
mkdir -p "$aarch64_libc"
cp -r "$headers/libc6-dev-arm64-cross/usr/aarch64-linux-gnu/include/." "$aarch64_libc/"
cp -r "$headers/linux-libc-dev-arm64-cross/usr/aarch64-linux-gnu/include/." "$aarch64_libc/"
fuse_headers="$headers/linux-libc-dev/usr/include"

# ---------------------------------------------------------------------------------------------------------
# Inputs: everything the output depends on, written as "key: value" lines.

installed() { dpkg-query -W -f '${Version} (${Architecture})' "$1" 2>/dev/null || echo "not installed"; }
fuse_version() {
  local h="$fuse_headers/linux/fuse.h"
  echo "$(sed -n 's/^#define FUSE_KERNEL_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$h").$(sed -n 's/^#define FUSE_KERNEL_MINOR_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$h")"
}
build_info() { # a line of the BUILD-INFO that build-jextract.sh writes beside bin/
  local info
  info="$(dirname "$(dirname "$(readlink -f "$jextract")")")/BUILD-INFO"
  { [ -f "$info" ] && sed -n "s/^$1 //p" "$info"; } || true
}

jextract_version=$("$jextract" --version 2>&1) || fail "$jextract --version failed: $jextract_version"
write_inputs() {
  echo "host architecture: $(uname -m) (dpkg: $host_arch)"
  echo "jextract commit: $(build_info jextract-commit | grep . || echo "unknown (no BUILD-INFO from build-jextract.sh)")"
  echo "jextract version: $(sed -n 's/^jextract //p' <<<"$jextract_version")"
  echo "jextract runs on JDK: $(sed -n 's/^JDK version //p' <<<"$jextract_version")"
  echo "libclang: $(sed -n 's/^LibClang version //p' <<<"$jextract_version")"
  echo "installed libclang1-19: $(installed libclang1-19)"
  echo "installed libclang-common-19-dev: $(installed libclang-common-19-dev)"
  echo "installed libc6-dev: $(installed libc6-dev:amd64)"
  echo "installed linux-libc-dev: $(installed linux-libc-dev:amd64)"
  local pin name version arch suite sha
  for pin in "${pins[@]}"; do
    read -r name version arch suite sha <<<"$pin"
    echo "fetched $name: $version ($arch, $suite) sha256 $sha"
  done
  echo "FUSE protocol of the fetched linux/fuse.h: $(fuse_version)"
  local f
  for f in "$here"/*.h "$here"/*.args; do
    echo "file ${f##*/}: sha256 $(sha256 "$f")"
  done
}
write_inputs >"$scratch/inputs"

input_report=""
if $check; then
  if [ ! -f "$manifest" ]; then
    input_report="inputs: bindings/manifest.txt is missing: nothing to compare the inputs with"
  else
    input_report=$(awk -F': ' '
      FNR == 1 { file++ }
      /^#/ || /^output / || !/: / { next }
      { key = $1; value = substr($0, length($1) + 3) }
      file == 1 { recorded[key] = value; order[++n] = key; next }
      { current[key] = value; if (!(key in recorded)) order[++n] = key }
      END {
        for (i = 1; i <= n; i++) {
          k = order[i]
          if (!(k in current)) printf "  %s: recorded %s, now absent\n", k, recorded[k]
          else if (!(k in recorded)) printf "  %s: not recorded, now %s\n", k, current[k]
          else if (recorded[k] != current[k]) printf "  %s: recorded %s, now %s\n", k, recorded[k], current[k]
        }
      }' "$manifest" "$scratch/inputs")
    if [ -z "$input_report" ]; then
      input_report="inputs: match bindings/manifest.txt"
    else
      input_report="inputs: DIFFER from bindings/manifest.txt:
$input_report"
    fi
  fi
  echo "$input_report"
fi

# ---------------------------------------------------------------------------------------------------------
# Generation: every binding for both architectures.
#
#   name          wrapper                 arguments          architectures  headers
bindings=(
  "goldfish_dma   goldfish_dma_wrapper.h  goldfish_dma.args  shared         kernel"
  "libc           libc_wrapper.h          libc.args          shared         libc"
  "libc_arch      libc_wrapper.h          libc_arch.args     per-arch       libc"
  "fuse           fuse_wrapper.h          fuse.args          shared         fuse"
)
architectures="x86_64 aarch64"

# Clang arguments, passed through compile_flags.txt (jextract reads it from the directory it runs in).
# x86_64 C library and kernel headers: the system's, with no arguments. Everything else: clang's builtin
# headers (found by libclang itself) and the named tree only, never the system's.
clang_flags() { # arch headers
  [ "$1" = aarch64 ] && echo "--target=aarch64-linux-gnu"
  case "$1/$2" in
    x86_64/libc | x86_64/kernel) ;;
    aarch64/libc | aarch64/kernel) printf '%s\n' -nostdlibinc "-isystem$aarch64_libc" ;;
    */fuse) printf '%s\n' -nostdlibinc "-isystem$fuse_headers/$1-linux-gnu" "-isystem$fuse_headers" ;;
  esac
}

package_of() { sed -n 's/^--target-package[[:space:]]*//p' "$1"; }

out="$scratch/out"
for arch in $architectures; do
  for binding in "${bindings[@]}"; do
    read -r name wrapper args kind hdrs <<<"$binding"
    # Each run in a directory of its own holding copies of the headers here, the argument file (with
    # ${ARCH} replaced) and compile_flags.txt: jextract adds its working directory to the include path.
    run="$scratch/run/$arch/$name"
    mkdir -p "$run"
    cp "$here"/*.h "$run/"
    sed "s/\${ARCH}/$arch/g" "$here/$args" >"$run/$args"
    clang_flags "$arch" "$hdrs" >"$run/compile_flags.txt"
    [ -s "$run/compile_flags.txt" ] || rm "$run/compile_flags.txt"
    if ! (cd "$run" && "$jextract" --output "$out/$arch/$name" "@$args" "$wrapper") >"$run/log" 2>&1; then
      cat "$run/log" >&2
      echo "regenerate.sh: jextract failed on $wrapper for $arch${input_report:+ (see the inputs above)}" >&2
      exit 1
    fi
    # jextract's warnings on types it skips (long double, ...) in headers the bindings do not use are noise.
    grep -v 'warning: Skipping' "$run/log" >&2 || true
  done
done

# jextract exits 0 even when an --include-* name matched nothing: verify every name made it.
missing=0
for arch in $architectures; do
  for binding in "${bindings[@]}"; do
    read -r name wrapper args kind hdrs <<<"$binding"
    while read -r option symbol; do
      case "$option" in
        --include-constant) pattern="public static [a-zA-Z.]+ $symbol\(\)" ;;
        --include-struct) pattern="^public class $symbol " ;;
        *) continue ;;
      esac
      if ! grep -rqE "$pattern" "$out/$arch/$name"; then
        echo "regenerate.sh: $args names $symbol, but jextract generated nothing for it on $arch" >&2
        missing=1
      fi
    done <"$here/$args"
  done
done
[ "$missing" = 0 ] || exit 1

# The code without its comments: comments quote declarations with their header paths, which differ
# between the architectures' header trees while the values do not.
code_of() { grep -vE '^[[:space:]]*(/\*\*|\*|\*/|//)' "$1" || true; }
constants_of() { # "NAME VALUE" for each constant of a generated directory
  grep -rhoE 'private static final [a-z]+ [A-Za-z0-9_]+ = .*;' "$1" | awk '{ v = $0; sub(/^[^=]*= /, "", v); print $5, v }' | sort
}

# Shared bindings must be the same code on both architectures; per-architecture ones must differ in
# every constant (one that does not belongs in the shared argument file).
arch_errors=0
for binding in "${bindings[@]}"; do
  read -r name wrapper args kind hdrs <<<"$binding"
  if [ "$kind" = shared ]; then
    (cd "$out/x86_64/$name" && find . -name '*.java' | sort) >"$scratch/files.x86_64"
    (cd "$out/aarch64/$name" && find . -name '*.java' | sort) >"$scratch/files.aarch64"
    if ! diff -q "$scratch/files.x86_64" "$scratch/files.aarch64" >/dev/null; then
      echo "regenerate.sh: $name: jextract generated different files for x86_64 and aarch64:" >&2
      diff "$scratch/files.x86_64" "$scratch/files.aarch64" >&2 || true
      arch_errors=1
      continue
    fi
    while read -r file; do
      if ! diff <(code_of "$out/x86_64/$name/$file") <(code_of "$out/aarch64/$name/$file") >"$scratch/archdiff"; then
        echo "regenerate.sh: $name: ${file#./} differs between x86_64 (<) and aarch64 (>); move what differs to a per-architecture binding:" >&2
        cat "$scratch/archdiff" >&2
        arch_errors=1
      fi
    done <"$scratch/files.x86_64"
  else
    same=$(join <(constants_of "$out/x86_64/$name") <(constants_of "$out/aarch64/$name") | awk '$2 == $3 { print $1 }')
    if [ -n "$same" ]; then
      echo "regenerate.sh: $args names constants that are the same on x86_64 and aarch64: move them to a shared argument file:" $same >&2
      arch_errors=1
    fi
  fi
done
[ "$arch_errors" = 0 ] || exit 1

# The committed tree: each binding's package directory, derived from its --target-package; shared bindings
# as generated for x86_64 (identical code on aarch64), per-architecture ones for each architecture.
tree="$scratch/tree"
: >"$scratch/outputs"
for binding in "${bindings[@]}"; do
  read -r name wrapper args kind hdrs <<<"$binding"
  if [ "$kind" = shared ]; then targets=x86_64; else targets=$architectures; fi
  for arch in $targets; do
    package=$(package_of "$scratch/run/$arch/$name/$args")
    [ -n "$package" ] || fail "$args has no --target-package"
    dir="src/main/java/${package//.//}"
    mkdir -p "$tree/$dir"
    cp "$out/$arch/$name/${package//.//}"/*.java "$tree/$dir/"
    if [ "$kind" = shared ]; then what="x86_64 and aarch64 (identical code)"; else what="$arch only"; fi
    echo "output $dir: $what, from $wrapper and $args, $(find "$tree/$dir" -maxdepth 1 -name '*.java' | wc -l) files" >>"$scratch/outputs"
  done
done
# Scratch paths in the output would make it differ on every run.
if grep -rlF "$scratch" "$tree" >&2; then
  echo "regenerate.sh: the generated code above quotes a scratch path (a header's location): it would never reproduce" >&2
  exit 1
fi

dirs_in() { sed -n 's/^output \([^:]*\):.*/\1/p' "$1"; }

if $check; then
  out_diff="$scratch/outdiff"
  : >"$out_diff"
  # Package directories generated now, and those the manifest says were generated before (a moved package).
  for dir in $( { dirs_in "$scratch/outputs"; [ -f "$manifest" ] && dirs_in "$manifest"; } | sort -u); do
    mkdir -p "$tree/$dir"
    # Only the package's own files: per-architecture packages are subdirectories of the shared one.
    java_files() { [ -d "$1" ] && find "$1" -maxdepth 1 -name '*.java' -printf '%f\n'; }
    for file in $( { java_files "$tree/$dir"; java_files "$root/$dir"; } | sort -u); do
      if [ ! -f "$root/$dir/$file" ]; then
        echo "only in jextract's output: $dir/$file" >>"$out_diff"
      elif [ ! -f "$tree/$dir/$file" ]; then
        echo "only committed: $dir/$file" >>"$out_diff"
      else
        diff -u --label "committed $dir/$file" --label "generated $dir/$file" "$root/$dir/$file" "$tree/$dir/$file" >>"$out_diff" || true
      fi
    done
  done
  files=$(find "$tree" -name '*.java' | wc -l)
  if [ -s "$out_diff" ]; then
    cat "$out_diff"
    echo
    echo "$input_report"
    echo "output: DIFFERS from the committed bindings (above); run bindings/regenerate.sh and commit"
    exit 1
  fi
  echo "output: identical to the committed bindings ($files files in $(dirs_in "$scratch/outputs" | wc -l) packages)"
  if [ "$input_report" != "inputs: match bindings/manifest.txt" ]; then
    echo "regenerate.sh --check: the output is the same, but the inputs differ from bindings/manifest.txt (above)"
    exit 3
  fi
  echo "generated bindings are up to date"
else
  # Remove the generated files of every package written now or recorded in the old manifest (a binding
  # that moved), then write the new ones.
  for dir in $( { dirs_in "$scratch/outputs"; [ -f "$manifest" ] && dirs_in "$manifest"; } | sort -u); do
    [ -d "$root/$dir" ] && find "$root/$dir" -maxdepth 1 -name '*.java' -delete
    [ -d "$root/$dir" ] && rmdir --ignore-fail-on-non-empty "$root/$dir"
  done
  cp -r "$tree/." "$root/"
  {
    echo "# The inputs and outputs of the committed bindings, written by bindings/regenerate.sh."
    echo "# 'regenerate.sh --check' reports every input line that differs, apart from differences in the output."
    cat "$scratch/inputs" "$scratch/outputs"
  } >"$manifest"
  echo "regenerated $(find "$tree" -name '*.java' | wc -l) files in $(dirs_in "$scratch/outputs" | wc -l) packages; inputs recorded in ${manifest#"$root"/}"
fi
