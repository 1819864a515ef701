#!/usr/bin/env bash
# Fails with one line naming what is missing when the toolchain that
# jsii-pacmak (and the smoke tests of test/polyglot/) need for a language is
# not on PATH:
#
#   python  python3 (3.9 or newer) with venv and ensurepip: pacmak makes a venv
#           and pip-installs its build tools from PyPI
#   java    java and javac (a JDK, 11 or newer) and mvn
#   go      go (1.25 or newer: the go.mod pacmak writes says `go 1.25`)
#
# Exit status: 0 all there; 3 something is missing; 2 usage.
set -euo pipefail

missing() {
  echo "package:$lang: $1" >&2
  exit 3
}

lang=${1:-}
case "$lang" in
  python)
    command -v python3 >/dev/null 2>&1 || missing "python3 is not on PATH (the Python package needs Python 3.9+ with venv and pip)"
    python3 -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null \
      || missing "python3 ($(python3 --version 2>&1)) lacks venv/ensurepip or is older than 3.9 (the Python package needs Python 3.9+ with venv and pip)"
    ;;
  java)
    for tool in java javac mvn; do
      command -v "$tool" >/dev/null 2>&1 || missing "$tool is not on PATH (the Java package needs a JDK 11+ and Maven 3.6+)"
    done
    ;;
  go)
    command -v go >/dev/null 2>&1 || missing "go is not on PATH (the Go package needs Go 1.25+)"
    go_version=$(GOTOOLCHAIN=local go env GOVERSION)
    case "$go_version" in
      go1.2[5-9]* | go1.[3-9][0-9]*) ;;
      *) missing "$go_version is too old (the Go package needs Go 1.25+)" ;;
    esac
    ;;
  *)
    echo "usage: $0 python|java|go" >&2
    exit 2
    ;;
esac
