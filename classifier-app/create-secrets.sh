#!/bin/sh
# Creates each secret file that compose.yaml names (under its top-level `secrets:`) and that does
# not exist yet, with a random password. Existing files stay as they are: a database keeps the
# password it was created with. Git ignores these files; nothing else ever holds the passwords.
# Run it once before the first `docker compose up`, from anywhere:
#   ./create-secrets.sh                  (in classifier-app/)
#   classifier-app/create-secrets.sh     (from the repository root)
set -eu
cd "$(dirname "$0")"
awk '/^secrets:/ { in_secrets = 1; next } /^[^ #]/ { in_secrets = 0 } in_secrets && $1 == "file:" { print $2 }' compose.yaml |
  while read -r file; do
    if [ ! -e "$file" ]; then
      openssl rand -hex 16 >"$file"
      echo "created ${file#./}"
    fi
  done
