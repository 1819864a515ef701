#!/usr/bin/env bash
# Runs the example app of one language (examples/languages/LANG) the way a
# user runs it: a copy of the app folder in a fresh project made by
# install.sh (the package built into dist-packages/, its dependencies from the
# registries), then the language's own run command, writing into OUTDIR.
#
#   test/polyglot/run-app.sh typescript|python|java|go OUTDIR
#
# typescript runs examples/languages/typescript/main.ts on the sources (the
# reference the other three are compared to). Needs `npx projen package` for
# the others. The project folder is removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lang=${1:-}
outdir=${2:-}
if [ -z "$lang" ] || [ -z "$outdir" ]; then
  echo "usage: $0 typescript|python|java|go OUTDIR" >&2
  exit 2
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
app="$root/examples/languages/$lang"
[ -d "$app" ] || { echo "run-app: no app in $app" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The jsii runtime starts node; its Node 20 end-of-life banner is noise here.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

case "$lang" in
  typescript)
    cd "$root"
    TS_NODE_PROJECT=test/tsconfig.json TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register "$app/main.ts" "$outdir"
    ;;
  python)
    cp -R "$app/." "$work/"
    "$here/install.sh" python "$work" >/dev/null
    cd "$work" && .venv/bin/python main.py "$outdir"
    ;;
  java)
    cp -R "$app/." "$work/"
    version=$("$here/install.sh" java "$work" | tail -1)
    cd "$work" && mvn --batch-mode --quiet -Dcdk8s-agents.version="$version" compile \
      org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.args="$outdir"
    ;;
  go)
    cp -R "$app/." "$work/"
    "$here/install.sh" go "$work" >/dev/null
    cd "$work" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go run . "$outdir"
    ;;
  *)
    echo "usage: $0 typescript|python|java|go OUTDIR" >&2
    exit 2
    ;;
esac
