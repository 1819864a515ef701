#!/usr/bin/env bash
# The install recipe of the packages `npx projen package` builds into
# dist-packages/: makes DIR a project of LANG that uses cdk8s-agents from
# there, the way a user would from the registries once it is published.
#
#   python  DIR/.venv, a venv with the wheel installed by pip from
#           dist-packages/python, and cdk8s, cdk8s-plus-28 and constructs at
#           the versions the library is built against (from PyPI). Run
#           DIR/.venv/bin/python.
#   java    DIR/.mvn/maven.config and DIR/.mvn/settings.xml: `mvn` run in DIR
#           (on a pom.xml of yours that depends on
#           dev.cdk8sagents:cdk8s-agents:VERSION) finds the jar in
#           dist-packages/java, and cdk8s and cdk8s-plus-28 in the Maven
#           local repository of packaging/jsii-bindings.sh (Maven Central has
#           neither at our versions); the rest comes from Maven Central.
#   go      DIR/go.mod (made if missing) requires
#           github.com/cdk8s-agents/cdk8s-agents-go/cdk8sagents and replaces
#           it with dist-packages/go/cdk8sagents, and cdk8s-core-go and
#           cdk8s-plus-go with the modules of packaging/jsii-bindings.sh (the
#           Go module proxy has no cdk8s-core-go). Add your .go files, then
#           `go mod tidy`.
#
# The last line on stdout is the version of cdk8s-agents to depend on.
#
#   test/polyglot/install.sh python|java|go DIR
#
# Needs: the package of LANG built (`npx projen package:LANG`), its toolchain
# (packaging/require-toolchain.sh), node on PATH at run time (the jsii
# runtime starts it), network access to the language's registry.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

lang=${1:-}
dir=${2:-}
case "$lang" in
  python | java | go) ;;
  *) lang="" ;;
esac
if [ -z "$lang" ] || [ -z "$dir" ]; then
  echo "usage: $0 python|java|go DIR" >&2
  exit 2
fi
"$root/packaging/require-toolchain.sh" "$lang"
dist="$root/dist-packages/$lang"
if [ ! -d "$dist" ]; then
  echo "install ($lang): $dist is missing: run \`npx projen package:$lang\` first" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

version_of() { node -p "require('$root/node_modules/$1/package.json').version"; }
version=$(node -p "require('$root/package.json').version")

install_python() {
  local wheel
  wheel=$(find "$dist" -maxdepth 1 -name 'cdk8s_agents-*.whl')
  if [ "$(echo "$wheel" | grep -c .)" != 1 ]; then
    echo "install (python): expected one cdk8s_agents wheel in $dist, found: ${wheel:-none}" >&2
    exit 1
  fi
  # The versions we build and test against; the wheel itself accepts newer ones.
  cat > "$dir/constraints.txt" <<EOF
cdk8s==$(version_of cdk8s)
cdk8s-plus-28==$(version_of cdk8s-plus-28)
constructs==$(version_of constructs)
jsii==$(version_of jsii-pacmak)
EOF
  python3 -m venv "$dir/.venv"
  "$dir/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --constraint "$dir/constraints.txt" "$wheel" >&2
}

install_java() {
  local bindings repository
  bindings=$("$root/packaging/jsii-bindings.sh" java)
  repository="$bindings/repository"
  # Maven keeps what it resolved from dist-packages/java in its local
  # repository and never looks again for a release version: a jar of an
  # earlier build would win over the one just built.
  rm -rf "$repository/dev/cdk8sagents/cdk8s-agents"
  mkdir -p "$dir/.mvn"
  cat > "$dir/.mvn/settings.xml" <<EOF
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <localRepository>$repository</localRepository>
  <interactiveMode>false</interactiveMode>
  <profiles>
    <profile>
      <id>cdk8s-agents-dist</id>
      <repositories>
        <repository>
          <id>cdk8s-agents-dist</id>
          <url>file://$dist</url>
        </repository>
      </repositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>cdk8s-agents-dist</activeProfile></activeProfiles>
</settings>
EOF
  echo "--settings=$dir/.mvn/settings.xml" > "$dir/.mvn/maven.config"
}

install_go() {
  local bindings module=github.com/cdk8s-agents/cdk8s-agents-go/cdk8sagents
  [ -f "$dist/cdk8sagents/go.mod" ] || { echo "install (go): no module in $dist/cdk8sagents" >&2; exit 1; }
  bindings=$("$root/packaging/jsii-bindings.sh" go)
  if [ ! -f "$dir/go.mod" ]; then
    (cd "$dir" && GOTOOLCHAIN=local go mod init example.com/cdk8s-agents-app >&2)
  fi
  (
    cd "$dir"
    GOTOOLCHAIN=local go mod edit \
      -require="$module@v$version" \
      -replace="$module=$dist/cdk8sagents" \
      -replace="github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2=$bindings/go/cdk8s" \
      -replace="github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2=$bindings/go/cdk8splus28"
  )
}

"install_$lang"
echo "install ($lang): $dir uses cdk8s-agents $version from $dist" >&2
echo "$version"
