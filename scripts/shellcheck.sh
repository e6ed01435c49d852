#!/bin/sh
# `npm run shellcheck`: Debian's shellcheck on every shell script the repository tracks, that is
# the *.sh files and the files whose first line names sh or bash (the exercises' checks, .ci/run).
# .shellcheckrc at the root lets it follow the files a script sources.
set -eu
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null 2>&1; then
  echo 'shellcheck not found: install it with "apt-get install shellcheck" (.ci/run does)' >&2
  exit 1
fi
scripts=$(mktemp)
trap 'rm -f "$scripts"' EXIT
{
  git ls-files '*.sh'
  # The files whose first line is a sh or bash shebang.
  git grep -nE '^#!.*[/ ](ba)?sh( |$)' | sed -n 's/:1:#!.*//p'
} | sort -u >"$scripts"
# One call for all of them (the repository's paths have no blanks).
# shellcheck disable=SC2046
shellcheck $(cat "$scripts")
