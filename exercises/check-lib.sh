# shellcheck shell=sh
# What every exercise's ./check shares: its arguments, its verdict, and the clean-up afterwards.
# A check sources this file after setting `here` (its own folder); it is not run on its own.
# Plain POSIX sh and the docker command, nothing else, so that it runs wherever Docker does.
#
# The variables it shares with a check, and no others:
#   here         set by the check before it sources this file: the check's own folder
#   also_remove  set by the check if it likes: a path to remove at the end, as work is
#   dir, project, work   set by start_check, for the check to use (see there)
#   passed, failed       the counts of criteria that hold and do not, for finish
# The functions keep everything else to themselves: they take their arguments as $1, $2 ..., and
# a function whose body is in ( ) rather than { } runs in a subshell, so that the variables it
# sets vanish when it returns. A check may use any other name for its own variables.

passed=0
failed=0

# holds TEXT: one of the exercise's criteria holds.
holds() {
  passed=$((passed + 1))
  echo "holds: $1"
}

# does_not_hold TEXT WHY: a criterion does not hold; WHY says what the check saw and what to change.
does_not_hold() {
  failed=$((failed + 1))
  echo "does not hold: $1: $2"
}

# finish: the verdict. Exits 0 only when every criterion holds.
finish() {
  if [ "$failed" -eq 0 ]; then
    echo "All $passed criteria hold. Well done!"
    exit 0
  fi
  echo "$failed of $((passed + failed)) criteria do not hold yet. Change the project and run the check again."
  exit 1
}

# start_check NUMBER TITLE [FOLDER]: reads the check's argument, the folder to check (by default
# the exercise's own), and makes sure that Docker answers. Sets:
#   dir      the folder to check, absolute
#   project  the name of everything the check creates: the Compose project, and in image tags
#   work     a temporary folder, removed at the end (and so is the path in also_remove, if set)
start_check() {
  if [ $# -gt 3 ]; then
    echo "usage: ./check [FOLDER]   (FOLDER: the project to check; by default this exercise's folder)" >&2
    exit 2
  fi
  if [ $# -eq 3 ]; then
    if [ ! -d "$3" ]; then
      echo "error: $3 is not a folder: name the project folder to check, or nothing for this exercise's folder" >&2
      exit 2
    fi
    dir=$(cd "$3" && pwd)
  else
    # shellcheck disable=SC2034,SC2154 # the check sets here, and reads dir
    dir=$here
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "error: no Docker engine answers (docker info failed): start Docker, then run the check again" >&2
    exit 2
  fi
  project=exercise-$1
  work=$(mktemp -d "${TMPDIR:-/tmp}/docker-demos-$project.XXXXXX")
  # Clean up however the check ends: normally, on an error, or on Ctrl-C.
  trap 'clean_up "$?"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Leftovers of an earlier check that was killed before it could clean up.
  remove_what_the_check_made
  echo "Exercise ${1#0}, $2: checking ${3:-this folder}"
}

# remove_what_the_check_made: every container, volume, network and image of the check's Compose
# project (found by Compose's labels, so that this works even if the compose file no longer
# parses), and the images it tagged docker-demos-exercise-NN.
# Its body runs in a subshell, so label and ids stay its own. $ids holds one id a line, and stays
# unquoted below: one argument each.
# shellcheck disable=SC2086
remove_what_the_check_made() (
  label="label=com.docker.compose.project=$project"
  ids=$(docker container ls -aq --filter "$label")
  [ -z "$ids" ] || docker container rm -f $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "$label")
  [ -z "$ids" ] || docker volume rm -f $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "$label")
  [ -z "$ids" ] || docker network rm $ids >/dev/null 2>&1
  ids=$(docker image ls -q --filter "$label")
  [ -z "$ids" ] || docker image rm -f $ids >/dev/null 2>&1
  ids=$(docker image ls -q --filter "reference=docker-demos-$project")
  [ -z "$ids" ] || docker image rm -f $ids >/dev/null 2>&1
  return 0
)

# clean_up STATUS: removes what the check made, then ends it with STATUS, its exit status.
clean_up() {
  remove_what_the_check_made
  rm -rf "$work" ${also_remove:+"$also_remove"}
  exit "$1"
}

# seconds_between T1 T2: the seconds from T1 to T2, nanosecond times as `docker events` prints
# them ({{.TimeNano}}), to one decimal.
seconds_between() {
  awk -v from="$1" -v to="$2" 'BEGIN { printf "%.1f", (to - from) / 1e9 }'
}

# first_error LOG: the line of a build or run log that says what went wrong, for a hint.
# Its body runs in a subshell, so line stays its own.
first_error() (
  line=$(grep -E 'ERROR|[Ee]rror:|failed to|does not|not found' "$1" | head -n 1)
  [ -n "$line" ] || line=$(tail -n 1 "$1")
  echo "$line" | sed -e 's/^#[0-9]* [0-9.]* //' -e 's/^ *//'
)
