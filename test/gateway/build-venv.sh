#!/usr/bin/env bash
# Installs LiteLLM's proxy for the gateway tests, once: a Python venv with
# exactly the packages test/gateway/requirements.txt pins (the release
# src/agent/gateway-version.ts names, every dependency with its hashes),
# installed by the pip test/gateway/pip-requirements.txt pins.
#
# The venv goes to a cache outside the repository, one folder per key: the
# hash of both lock files, this script and `python3 --version`. A second run
# with the same inputs installs nothing. It is built in its final folder (a
# venv's console scripts name its absolute path, so `litellm` runs as the
# sidecar's command line runs it) and marked complete last, so a cancelled
# build never looks cached. The last line on stdout is the folder.
#
# Needs: python3 3.11 with venv and pip, network access to PyPI (cold build only).
#
#   CDK8S_AGENTS_CACHE_DIR  cache root (default: $XDG_CACHE_HOME/cdk8s-agents
#                           or ~/.cache/cdk8s-agents)
#
# Exit status: 0 built or cached; 3 no usable python3; 1 the install failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if ! python3 -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
  echo "gateway venv: python3 3.11 with venv and ensurepip is needed (requirements.txt is locked for 3.11); found: $(python3 --version 2>&1 || echo none)" >&2
  exit 3
fi
python_version=$(python3 --version 2>&1)
version=$(sed -n 's/^litellm\[proxy\]==\([^ ]*\) .*$/\1/p' requirements.txt)
[ -n "$version" ] || { echo "gateway venv: requirements.txt pins no litellm[proxy]" >&2; exit 1; }

key=$({ cat pip-requirements.txt requirements.txt build-venv.sh; echo "$python_version $(uname -sm)"; } | sha256sum | cut -c1-16)
cache_root=${CDK8S_AGENTS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-agents}
out="$cache_root/litellm/$version-$key"
if [ -f "$out/.complete" ]; then
  touch "$out/.complete" # in use: kept by the pruning below
  echo "gateway venv: cached ($out)" >&2
  echo "$out"
  exit 0
fi

mkdir -p "$cache_root/litellm"
# One build at a time (a second one waits, then finds the first one's venv).
exec 9>"$cache_root/litellm/.lock"
flock 9
if [ -f "$out/.complete" ]; then
  echo "gateway venv: cached ($out)" >&2
  echo "$out"
  exit 0
fi
# Built where it stays: a venv's scripts (litellm, ...) start with its absolute
# path, so it cannot be renamed once built. A folder without .complete is an
# interrupted build: removed, and removed again if this one fails.
rm -rf "$out"
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
echo "gateway venv: installing LiteLLM $version with $python_version (a cold install takes a few minutes) ..." >&2
python3 -m venv "$out/venv"
# First the pip of pip-requirements.txt (see lock.sh: ensurepip's pip 23.2 lets
# the base of a pinned extra drift to a newer release and then refuses it).
"$out/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --only-binary=:all: -r pip-requirements.txt >&2
"$out/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --only-binary=:all: -r requirements.txt >&2

site=$("$out/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
unexpected=$(find "$site" -maxdepth 1 -name '*.pth' ! -name distutils-precedence.pth)
if [ -n "$unexpected" ]; then
  echo "gateway venv: unexpected .pth files in site-packages: $unexpected" >&2
  exit 1
fi
installed=$("$out/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))')
[ "$installed" = "$version" ] || { echo "gateway venv: installed litellm $installed, not $version" >&2; exit 1; }
# The console scripts run: what a sidecar's command line (`exec litellm ...`) needs.
"$out/venv/bin/litellm" --help >/dev/null

touch "$out/.complete"
trap - EXIT
find "$cache_root/litellm" -mindepth 2 -maxdepth 2 -name .complete -mtime +14 -printf '%h\n' | while read -r old; do
  [ "$old" = "$out" ] || rm -rf "$old"
done
echo "gateway venv: installed in $(($(date +%s) - start)) s, $(du -sm "$out" | cut -f1) MiB ($out)" >&2
echo "$out"
