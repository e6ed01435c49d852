#!/bin/sh
# Starts Jupyter as the owner of the mounted work folder, so that the notebooks saved from the
# browser belong to the host user whatever their uid (1000 on most Linux desktops, 501 on macOS,
# 1001 on GitHub's runners, 0 when everything runs as root).
#
# compose.yaml starts this script as root with only CHOWN, SETUID, SETGID and SETPCAP; it hands the
# server to that uid:gid with setpriv and drops every capability on the way, so Jupyter, its
# kernels and terminals run with none. Started as any other user (plain `docker run`), it changes
# nothing and runs Jupyter as that user.
set -eu

# An empty token switches Jupyter's authentication off: refuse rather than serve without it.
if [ "${JUPYTER_TOKEN+set}" = set ] && [ -z "$JUPYTER_TOKEN" ]; then
  echo "entrypoint: JUPYTER_TOKEN is set but empty, which would switch authentication off; unset it or set a token" >&2
  exit 64
fi

if [ "$(id -u)" != 0 ]; then
  exec tini -g -- "$@"
fi

work=/home/jovyan/work
uid=$(stat -c %u "$work")
gid=$(stat -c %g "$work")

# $HOME (a tmpfs in compose.yaml) must belong to the user, for Jupyter's runtime files.
if [ "$(stat -c %u:%g "$HOME")" != "$uid:$gid" ]; then
  chown "$uid:$gid" "$HOME"
fi

# A uid the image does not know gets a name (jovyan) through nss_wrapper, because /etc/passwd
# is on the read-only root filesystem; a shell then says jovyan@… instead of "I have no name!".
if ! getent passwd "$uid" >/dev/null; then
  nss=$(mktemp -d)
  sed "s/^jovyan:x:1000:1000:/jovyan:x:$uid:$gid:/" /etc/passwd >"$nss/passwd"
  if getent group "$gid" >/dev/null; then cp /etc/group "$nss/group"
  else sed "s/^jovyan:x:1000:/jovyan:x:$gid:/" /etc/group >"$nss/group"
  fi
  chmod 755 "$nss"
  export LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD="$nss/passwd" NSS_WRAPPER_GROUP="$nss/group"
fi

# uid 0 means the host user is root (e.g. a CI runner): Jupyter then runs as uid 0 so its files
# stay the host user's, but with an empty capability bounding set it cannot gain any privilege,
# and no-new-privileges (compose.yaml) stops setuid programs from granting one.
# Said in the server's log only: other commands (docker compose run ...) print just their own output.
if [ "$*" = "jupyter lab" ]; then
  echo "entrypoint: running as uid $uid, gid $gid (the owner of $work)" >&2
fi
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups \
  --inh-caps=-all --bounding-set=-all \
  tini -g -- "$@"
