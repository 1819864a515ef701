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
# sidecar's command line runs it) behind a lock and marked complete last, so a
# cancelled build never looks cached (scripts/build-cache.sh). The last line on
# stdout is the folder.
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
. "$here/../../scripts/build-cache.sh"
# Built where it stays: a venv's scripts (litellm, ...) start with its absolute
# path, so it cannot be renamed once built.
build_cache_open litellm "$version-$key" "gateway venv"
out=$build_cache_out
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
# With the env the sidecar sets (gateway-sidecar.ts): no fetch of the model cost map.
LITELLM_LOCAL_MODEL_COST_MAP=True "$out/venv/bin/litellm" --help >/dev/null

build_cache_close "gateway venv" installed
