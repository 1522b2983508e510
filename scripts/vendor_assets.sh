#!/usr/bin/env bash
# Vendor the front-end assets that the app serves itself (no CDN: users sit on intranets).
#
# Fetches an exact Bootstrap release from the npm registry, checks it against the pinned
# integrity hash, and copies only the files the templates use into static/vendor/bootstrap/.
# The copied files are committed, so a fresh clone works offline; run this only to upgrade.
#
# Usage: scripts/vendor_assets.sh        (from anywhere; needs npm, tar, python3)
# To upgrade: change BOOTSTRAP_VERSION and BOOTSTRAP_INTEGRITY (from
#   `npm view bootstrap@X.Y.Z dist.integrity`), run, then update static/vendor/README.md.
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_INTEGRITY="sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor/bootstrap"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "Fetching bootstrap@$BOOTSTRAP_VERSION from the npm registry"
(cd "$WORK" && npm pack --silent "bootstrap@$BOOTSTRAP_VERSION" >/dev/null)
TARBALL="$WORK/bootstrap-$BOOTSTRAP_VERSION.tgz"

actual="sha512-$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$TARBALL")"
if [ "$actual" != "$BOOTSTRAP_INTEGRITY" ]; then
    echo "Integrity mismatch for bootstrap-$BOOTSTRAP_VERSION.tgz:" >&2
    echo "  expected $BOOTSTRAP_INTEGRITY" >&2
    echo "  got      $actual" >&2
    exit 1
fi

tar -xzf "$TARBALL" -C "$WORK"
PKG="$WORK/package"

rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/js"
cp "$PKG/dist/css/bootstrap.min.css" "$PKG/dist/css/bootstrap.min.css.map" "$DEST/css/"
cp "$PKG/dist/js/bootstrap.bundle.min.js" "$PKG/dist/js/bootstrap.bundle.min.js.map" "$DEST/js/"
cp "$PKG/LICENSE" "$DEST/LICENSE"
echo "$BOOTSTRAP_VERSION" > "$DEST/VERSION"

# Intranet rule: nothing vendored may load from another host (fonts, images, imports).
# data: URIs (Bootstrap's inline SVG icons) are fine; http(s) and protocol-relative URLs are not.
if grep -Eo 'url\((["'\'']?)(https?:)?//[^)]*\)|@import[^;]*' "$DEST/css/bootstrap.min.css"; then
    echo "bootstrap.min.css references an external URL (above); refusing to vendor it." >&2
    exit 1
fi

echo "Vendored Bootstrap $BOOTSTRAP_VERSION into ${DEST#"$ROOT"/}:"
(cd "$DEST" && find . -type f | sort)
