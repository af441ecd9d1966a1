#!/usr/bin/env bash
# Builds jextract from a checkout of the openjdk/jextract repository with a JDK 22+'s javac, against the
# distribution's libclang, without Gradle and without copying clang's builtin headers (libclang finds them
# itself, next to the library). Downloads nothing.
#
#   bindings/build-jextract.sh JEXTRACT_CHECKOUT OUTPUT_DIR
#
# OUTPUT_DIR gets bin/jextract (the launcher), lib/ (the module jar and a libclang.so link) and BUILD-INFO
# (the commit, JDK and libclang it was built from; regenerate.sh records them). Settings, all optional:
#   JDK=/usr/lib/jvm/...        the JDK to compile with and run on (default: the newest JDK 22+ in /usr/lib/jvm)
#   LIBCLANG=/usr/lib/llvm-19/lib/libclang-19.so.1    the libclang to load (default: Debian 12's libclang1-19)
set -euo pipefail

usage() {
  echo "usage: $0 JEXTRACT_CHECKOUT OUTPUT_DIR" >&2
  exit 2
}
[ $# = 2 ] || usage
src=$(cd "$1" && pwd)
out=$2
[ -f "$src/src/main/java/module-info.java" ] && [ -f "$src/src/main/java/org/openjdk/jextract/JextractTool.java" ] || {
  echo "build-jextract.sh: $src is not a jextract checkout (no src/main/java/org/openjdk/jextract/JextractTool.java)" >&2
  exit 2
}

jdk=${JDK:-}
if [ -z "$jdk" ]; then
  for home in /usr/lib/jvm/*/; do
    if [ -x "$home/bin/javac" ] && "$home/bin/java" -version 2>&1 | grep -qE 'version "(2[2-9]|[3-9][0-9])'; then
      jdk=${home%/}
    fi
  done
fi
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/javac" ]; then
  echo "build-jextract.sh: no JDK 22 or newer found (set JDK=/path/to/jdk)" >&2
  exit 2
fi

libclang=${LIBCLANG:-/usr/lib/llvm-19/lib/libclang-19.so.1}
if [ ! -e "$libclang" ]; then
  echo "build-jextract.sh: $libclang not found: install the distribution's package (apt-get install libclang1-19 libclang-common-19-dev) or set LIBCLANG" >&2
  exit 2
fi
# libclang looks for clang's builtin headers (stddef.h, stdint.h, ...) in lib/clang/<version>/include
# beside the directory it was loaded from; without them every header that includes <stddef.h> fails.
if ! compgen -G "$(dirname "$libclang")/clang/*/include/stddef.h" >/dev/null; then
  echo "build-jextract.sh: clang's builtin headers are missing beside $libclang: install libclang-common-19-dev" >&2
  exit 2
fi

commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
# The version jextract reports (--version) is its module's version; its Gradle build sets it to 23.
module_version=$(sed -n 's/^def jextract_version = "\(.*\)"$/\1/p' "$src/build.gradle" 2>/dev/null || true)
module_version=${module_version:-unknown}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/classes"
find "$src/src/main/java" -name '*.java' >"$scratch/sources"
# --release 23 as in jextract's own build.
"$jdk/bin/javac" --release 23 -nowarn -Xlint:none --module-version "$module_version" \
  -d "$scratch/classes" @"$scratch/sources"
cp -r "$src/src/main/resources/." "$scratch/classes/"

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib/native"
out=$(cd "$out" && pwd)
"$jdk/bin/jar" --create --file "$out/lib/org.openjdk.jextract.jar" --module-version "$module_version" \
  -C "$scratch/classes" .
# jextract loads the library by the name "clang" (System.loadLibrary): a link under that name, pointing at
# the real file so that libclang still finds its builtin headers relative to where it really lives.
ln -s "$libclang" "$out/lib/native/libclang.so"

cat >"$out/bin/jextract" <<LAUNCHER
#!/bin/sh
# jextract $commit, built by goldfish-dma's bindings/build-jextract.sh
lib=\$(dirname "\$(readlink -f "\$0")")/../lib
exec "$jdk/bin/java" \$JEXTRACT_JAVA_OPTIONS --enable-native-access=org.openjdk.jextract \\
  -Djava.library.path="\$lib/native" --module-path "\$lib/org.openjdk.jextract.jar" \\
  -m org.openjdk.jextract/org.openjdk.jextract.JextractTool "\$@"
LAUNCHER
chmod +x "$out/bin/jextract"

cat >"$out/BUILD-INFO" <<INFO
jextract-commit $commit
jextract-module-version $module_version
jdk $("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p') ($jdk)
libclang $libclang
INFO

echo "built jextract $commit into $out"
"$out/bin/jextract" --version
