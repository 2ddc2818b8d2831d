#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (the MongoDB-compatible server the Mongo test suite runs against) with the Go toolchain.
#
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at start: the module
# zip lacks build/version/version.txt (it is generated upstream and git-ignored). FerretDB's own message says to
# create that file by hand, so this script builds from the module source with the file written.
#
# Usage: scripts/install-ferretdb.sh [DEST]   (default: $(go env GOPATH)/bin/ferretdb-1.24.2); prints the path.
set -euo pipefail
VERSION=v1.24.2
DEST=${1:-$(go env GOPATH)/bin/ferretdb-${VERSION#v}}
if [ -x "$DEST" ] && "$DEST" --version >/dev/null 2>&1; then
  echo "$DEST"
  exit 0
fi
export GOFLAGS=-mod=mod
src=$(go mod download -json "github.com/FerretDB/FerretDB@${VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "could not download FerretDB ${VERSION}" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
echo "$VERSION" > "$work/build/version/version.txt"
mkdir -p "$(dirname "$DEST")"
(cd "$work" && go build -trimpath -buildvcs=false -o "$DEST" ./cmd/ferretdb) >&2
"$DEST" --version >&2
echo "$DEST"
