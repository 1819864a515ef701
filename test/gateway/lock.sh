#!/usr/bin/env bash
# Writes test/gateway/requirements.txt: LiteLLM's proxy at the release
# src/agent/gateway-version.ts names, and every package it pulls in, each
# pinned to one version with the sha256 of every file PyPI serves for it.
#
# Run by hand when LITELLM_VERSION changes (never by the tests): it resolves
# `litellm[proxy]==<version>` once with `pip install` into a scratch venv,
# takes `pip freeze` as the exact set, then lets pip-compile (pip-tools, in a
# second scratch venv) add the hashes. build-venv.sh installs the result with
# `--require-hashes`, so a file that changed on the index after this lock
# fails the install instead of running. Also writes pip-requirements.txt: the
# pip that resolved the lock, which build-venv.sh installs first.
#
# Needs: python3 (the Python the tests use: the set of packages depends on it),
# network access to PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n "s/^export const LITELLM_VERSION = '\([^']*\)';$/\1/p" "$here/../../src/agent/gateway-version.ts")
[ -n "$version" ] || { echo "lock: no LITELLM_VERSION in src/agent/gateway-version.ts" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "lock: resolving litellm[proxy]==$version with $(python3 --version) ..." >&2
python3 -m venv "$work/resolve"
# Resolved, and later installed (build-venv.sh), by the current pip rather than
# the one Python 3.11's ensurepip brings (23.2): its resolver let the base of a
# pinned extra drift from the pin (it took httpx 0.29.0 for LiteLLM's
# `httpx[http2]>=0.28.0` beside the lock's `httpx[http2]==0.28.1`, then
# refused its own install). pip-requirements.txt pins it, with hashes.
"$work/resolve/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
pip_version=$("$work/resolve/bin/python" -m pip --version | cut -d' ' -f2)
"$work/resolve/bin/pip" install --quiet --disable-pip-version-check "litellm[proxy]==$version"
# The frozen set, with LiteLLM named with its extra so the lock says what it is for.
"$work/resolve/bin/pip" freeze --disable-pip-version-check \
  | sed "s/^litellm==$version\$/litellm[proxy]==$version/" > "$work/frozen.in"
grep -qx "litellm\[proxy\]==$version" "$work/frozen.in" || { echo "lock: pip freeze has no litellm==$version" >&2; exit 1; }

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet --disable-pip-version-check pip-tools
{
  echo "# LiteLLM's proxy $version and everything it needs, for the gateway tests"
  echo "# (test/gateway/build-venv.sh installs it with --require-hashes)."
  echo "# Written by test/gateway/lock.sh with $(python3 --version): do not edit by hand."
  "$work/tools/bin/pip-compile" --quiet --generate-hashes --no-header --no-annotate --allow-unsafe --no-strip-extras --no-emit-find-links \
    --output-file - "$work/frozen.in"
} > "$here/requirements.txt"
echo "pip==$pip_version" > "$work/pip.in"
{
  echo "# The pip build-venv.sh installs first, then installs requirements.txt with it."
  echo "# Written by test/gateway/lock.sh: do not edit by hand."
  "$work/tools/bin/pip-compile" --quiet --generate-hashes --no-header --no-annotate --allow-unsafe --no-emit-find-links \
    --output-file - "$work/pip.in"
} > "$here/pip-requirements.txt"
echo "lock: wrote $here/requirements.txt ($(grep -c '==' "$here/requirements.txt") packages)" >&2
