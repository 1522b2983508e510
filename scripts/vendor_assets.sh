#!/usr/bin/env bash
# Vendor the front-end assets that the app serves itself (no CDN: users sit on intranets).
#
# Fetches exact releases of Bootstrap, Tom Select and Apache ECharts from the npm registry,
# checks each against its pinned integrity hash, and copies only the files the templates use
# into static/vendor/<package>/.
# The copied files are committed, so a fresh clone works offline; run this only to upgrade.
#
# Usage: scripts/vendor_assets.sh        (from anywhere; needs npm, tar, python3)
# To upgrade: change <PACKAGE>_VERSION and <PACKAGE>_INTEGRITY (from
#   `npm view <package>@X.Y.Z dist.integrity`), run, then update static/vendor/README.md.
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_INTEGRITY="sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="
TOM_SELECT_VERSION="2.6.2"
TOM_SELECT_INTEGRITY="sha512-eiXIkk82XzzUTOVQDFpy+ZGejuqdTvMukyUyeZBQaKnqW42UoTiTZnrod/eX0rkqJEc4rZY9DZ3zdjV07i29wQ=="
ECHARTS_VERSION="6.1.0"
ECHARTS_INTEGRITY="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION INTEGRITY: download, verify and unpack one npm package; prints its folder.
fetch() {
    local name=$1 version=$2 integrity=$3 dir="$WORK/$1"
    mkdir -p "$dir"
    echo "Fetching $name@$version from the npm registry" >&2
    (cd "$dir" && npm pack --silent "$name@$version" >/dev/null)
    local tarball="$dir/$name-$version.tgz" actual
    actual="sha512-$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
    if [ "$actual" != "$integrity" ]; then
        printf 'Integrity mismatch for %s-%s.tgz:\n  expected %s\n  got      %s\n' \
            "$name" "$version" "$integrity" "$actual" >&2
        exit 1
    fi
    tar -xzf "$tarball" -C "$dir"
    echo "$dir/package"
}

# Intranet rule: nothing vendored may load from another host (fonts, images, imports).
# data: URIs (inline SVG icons) are fine; http(s) and protocol-relative URLs are not.
refuse_external_urls() {
    if grep -Eo 'url\((["'\'']?)(https?:)?//[^)]*\)|@import[^;]*' "$1"; then
        echo "$1 references an external URL (above); refusing to vendor it." >&2
        exit 1
    fi
}

PKG="$(fetch bootstrap "$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY")"
DEST="$VENDOR/bootstrap"
rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/js"
cp "$PKG/dist/css/bootstrap.min.css" "$PKG/dist/css/bootstrap.min.css.map" "$DEST/css/"
cp "$PKG/dist/js/bootstrap.bundle.min.js" "$PKG/dist/js/bootstrap.bundle.min.js.map" "$DEST/js/"
cp "$PKG/LICENSE" "$DEST/LICENSE"
echo "$BOOTSTRAP_VERSION" > "$DEST/VERSION"
refuse_external_urls "$DEST/css/bootstrap.min.css"

PKG="$(fetch tom-select "$TOM_SELECT_VERSION" "$TOM_SELECT_INTEGRITY")"
DEST="$VENDOR/tom-select"
rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/js"
cp "$PKG/dist/css/tom-select.bootstrap5.min.css" "$DEST/css/"
cp "$PKG/dist/js/tom-select.complete.min.js" "$DEST/js/"
cp "$PKG/LICENSE" "$DEST/LICENSE"
echo "$TOM_SELECT_VERSION" > "$DEST/VERSION"
refuse_external_urls "$DEST/css/tom-select.bootstrap5.min.css"

# Apache ECharts: the dashboard charts (static/js/dashboard.js). One self-contained file; it
# draws on a canvas and loads nothing (no maps, themes or fonts are fetched).
PKG="$(fetch echarts "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY")"
DEST="$VENDOR/echarts"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$PKG/dist/echarts.min.js" "$DEST/"
cp "$PKG/LICENSE" "$PKG/NOTICE" "$DEST/"
echo "$ECHARTS_VERSION" > "$DEST/VERSION"

echo "Vendored into ${VENDOR#"$ROOT"/}:"
(cd "$VENDOR" && find . -type f | sort)
