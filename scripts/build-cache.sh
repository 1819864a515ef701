# Sourced (not run) by the scripts that build something heavy once and keep it
# outside the repository: the control plane (test/control-plane/build.sh), the
# LiteLLM venv (test/gateway/build-venv.sh) and the jsii bindings of cdk8s
# (packaging/jsii-bindings.sh). One protocol for all three:
#
#   <cache root>/<area>/<entry>/   one folder per key of the build's inputs
#                                  (the caller names <entry>)
#   .../<entry>/.complete          written last: a folder without it is an
#                                  interrupted build, removed before the next one
#   <cache root>/<area>/.lock      one build of an area at a time: a second one
#                                  waits, then finds the first one's folder
#
# A folder is built in place (a venv names its own absolute path, so it cannot
# be moved once built). Entries of an area not used for 14 days are removed
# after each build. The cache root is $CDK8S_AGENTS_CACHE_DIR, else
# $XDG_CACHE_HOME/cdk8s-agents, else ~/.cache/cdk8s-agents.
#
#   build_cache_open <area> <entry> <label>
#       Sets build_cache_out to the folder. When it is complete: marks it used,
#       prints "<label>: cached (<folder>)" on stderr and the folder on stdout,
#       and exits the calling script with 0. Otherwise takes the lock, clears
#       the folder and removes it again if the script exits before
#       build_cache_close.
#   build_cache_close <label> <what>
#       Marks the folder complete, prunes the area, prints
#       "<label>: <what> in <s> s, <MiB> MiB (<folder>)" on stderr and the
#       folder on stdout (the last line the calling script prints).

build_cache_root=${CDK8S_AGENTS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-agents}

# Prints the cached folder and exits the calling script when it is complete.
build_cache_hit() {
  if [ -f "$build_cache_out/.complete" ]; then
    touch "$build_cache_out/.complete" # in use: kept by the pruning
    echo "$1: cached ($build_cache_out)" >&2
    echo "$build_cache_out"
    exit 0
  fi
}

build_cache_open() {
  build_cache_area="$build_cache_root/$1"
  build_cache_out="$build_cache_area/$2"
  build_cache_hit "$3"
  mkdir -p "$build_cache_area"
  exec 9>"$build_cache_area/.lock"
  flock 9
  build_cache_hit "$3"
  rm -rf "$build_cache_out"
  trap 'rm -rf "$build_cache_out"' EXIT
  mkdir -p "$build_cache_out"
  build_cache_start=$(date +%s)
}

build_cache_close() {
  touch "$build_cache_out/.complete"
  trap - EXIT
  find "$build_cache_area" -mindepth 2 -maxdepth 2 -name .complete -mtime +14 -printf '%h\n' | while read -r old; do
    [ "$old" = "$build_cache_out" ] || rm -rf "$old"
  done
  echo "$1: $2 in $(($(date +%s) - build_cache_start)) s, $(du -sm "$build_cache_out" | cut -f1) MiB ($build_cache_out)" >&2
  echo "$build_cache_out"
}
