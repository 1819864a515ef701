#!/usr/bin/env bash
# Builds the Java or Go bindings of cdk8s and cdk8s-plus-28, once, from the
# npm packages in node_modules (the versions the library is built and tested
# against), for `npx projen package:java` and `package:go`.
#
# Why here: Maven Central has no org.cdk8s:cdk8s as new as the one we need and
# no org.cdk8s:cdk8s-plus-28 at all, and the Go module proxy serves no
# github.com/cdk8s-team/cdk8s-core-go. jsii-pacmak makes them from the .jsii
# assemblies those npm packages carry, exactly as cdk8s's own release does.
#
#   java  a Maven local repository, <folder>/repository, with
#         org.cdk8s:cdk8s and org.cdk8s:cdk8s-plus-28 installed (their
#         dependency ranges pinned to the versions in node_modules, so no
#         build resolves a range against Maven Central: Maven would fetch the
#         pom of every version in it). Our own Java build and its consumers
#         use it as their local repository (plugins and jsii-runtime land
#         there too).
#   go    the Go module folders <folder>/go/cdk8s and <folder>/go/cdk8splus28,
#         which our Go build and its consumers `replace` the modules with.
#
# The folder is in a cache outside the repository, one per language and
# versions: <cache>/jsii-bindings/<lang>-<cdk8s>-<cdk8s-plus>-<jsii-pacmak>-<hash
# of this script>. It is built in place behind a lock (a second build waits,
# then finds the first one's) and marked complete last, so a cancelled build
# never looks cached (scripts/build-cache.sh). The last line on stdout is the
# folder.
#
# Needs: node with node_modules installed; java: a JDK (java, javac) and mvn,
# network access to Maven Central; go: go, network access to the Go module
# proxy (cold build only).
#
#   CDK8S_AGENTS_CACHE_DIR  cache root (default: $XDG_CACHE_HOME/cdk8s-agents
#                           or ~/.cache/cdk8s-agents)
#
# Exit status: 0 built or cached; 2 usage; 3 a toolchain is missing; 1 the build failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

lang=${1:-}
case "$lang" in
  java | go) ;;
  *)
    echo "usage: $0 java|go" >&2
    exit 2
    ;;
esac
"$here/require-toolchain.sh" "$lang"

version_of() { node -p "require('./node_modules/$1/package.json').version"; }
cdk8s=$(version_of cdk8s)
plus=$(version_of cdk8s-plus-28)
constructs=$(version_of constructs)
pacmak=$(version_of jsii-pacmak)
key=$(sha256sum < "$here/jsii-bindings.sh" | cut -c1-8)

. "$root/scripts/build-cache.sh"
build_cache_open jsii-bindings "$lang-$cdk8s-$plus-$pacmak-$key" "jsii bindings ($lang)"
out=$build_cache_out
pacmak_bin="$root/node_modules/.bin/jsii-pacmak"
echo "jsii bindings ($lang): building cdk8s $cdk8s and cdk8s-plus-28 $plus with jsii-pacmak $pacmak ..." >&2

if [ "$lang" = go ]; then
  # One run, one output folder: pacmak's Go build of cdk8s-plus-28 finds
  # cdk8s's module beside it and `replace`s it (constructs and jsii-runtime-go
  # come from the module proxy). GOTOOLCHAIN=local: no toolchain download.
  GOTOOLCHAIN=local "$pacmak_bin" --target go --outdir "$out" node_modules/cdk8s node_modules/cdk8s-plus-28 >&2
  for module in cdk8s cdk8splus28; do
    test -f "$out/go/$module/go.mod" || { echo "jsii bindings (go): $module was not generated" >&2; exit 1; }
  done
else
  # pacmak generates the Maven projects (--code-only); Maven builds them here
  # instead of in pacmak's build, which would resolve every version range
  # against Maven Central first (the pom of each of ~800 versions of
  # constructs and cdk8s: minutes on a cold cache) and make javadoc that no
  # one reads.
  src="$out/.src"
  for pkg in cdk8s cdk8s-plus-28; do
    "$pacmak_bin" --target java --code-only --outdir "$src/$pkg" "node_modules/$pkg" >&2
  done
  node "$here/pin-maven-versions.js" "org.cdk8s:cdk8s=$cdk8s" "org.cdk8s:cdk8s-plus-28=$plus" \
    "software.constructs:constructs=$constructs" "software.amazon.jsii:jsii-runtime=$pacmak" \
    -- "$src/cdk8s/java/pom.xml" "$src/cdk8s-plus-28/java/pom.xml"
  cat > "$src/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.build</groupId>
  <artifactId>jsii-bindings</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <modules><module>cdk8s/java</module><module>cdk8s-plus-28/java</module></modules>
</project>
EOF
  # Tiered compilation stopped at level 1: about a third faster for a
  # short-lived Maven (what pacmak's own build sets).
  MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+TieredCompilation -XX:TieredStopAtLevel=1" \
    mvn --batch-mode --quiet --file "$src/pom.xml" -Dmaven.repo.local="$out/repository" \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true install >&2
  for artifact in "cdk8s/$cdk8s/cdk8s-$cdk8s" "cdk8s-plus-28/$plus/cdk8s-plus-28-$plus"; do
    test -f "$out/repository/org/cdk8s/$artifact.jar" || { echo "jsii bindings (java): org/cdk8s/$artifact.jar was not installed" >&2; exit 1; }
  done
  rm -rf "$src"
fi

build_cache_close "jsii bindings ($lang)" built
