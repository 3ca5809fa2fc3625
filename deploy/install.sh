#!/usr/bin/env bash
# Install rag from this offline bundle (made by scripts/bundle.py); no network is used.
#
#   tar xzf rag-bundle-*.tar.gz && cd rag-bundle-*/ && ./install.sh [--prefix DIR] [--extras milvus]
#                                                               [--cache-dir DIR] [--python PYTHON]
#
#   --prefix DIR      the virtual environment to create or update (default /opt/rag); rag is DIR/bin/rag
#   --extras LIST     optional extras bundled at build time (see MANIFEST.json), e.g. milvus
#   --cache-dir DIR   where the models go (default: where rag looks, RAG_CACHE_DIR or ~/.cache/rag;
#                     for deploy/rag.service: /var/lib/rag/cache/rag)
#   --python PYTHON   the interpreter to build the environment with (default python3; must be the
#                     version the bundle was made for)
#
# Steps: check SHA256SUMS, make the environment, `pip install --no-index --find-links wheels`, copy
# the models (already exported to ONNX), then `rag index` and `rag doctor` over selftest/ in a
# temporary folder: it must say "All good." with nothing exported or downloaded.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=/opt/rag
EXTRAS=""
CACHE=""
PY=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --extras) EXTRAS=$2; shift 2 ;;
    --cache-dir) CACHE=$2; shift 2 ;;
    --python) PY=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "== $*"; }
fail() { echo "install.sh: $*" >&2; exit 1; }

say "checking the files against SHA256SUMS"
(cd "$HERE" && sha256sum --quiet --strict -c SHA256SUMS) || fail "the bundle is damaged or was changed; copy it again"

want=$(sed -n 's/^ *"python": "\(.*\)",$/\1/p' "$HERE/MANIFEST.json")
have=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")') || fail "no Python at $PY (--python)"
[ "$want" = "$have" ] || fail "this bundle is for Python $want, $PY is $have: use --python, or a bundle made with --python $have"

say "creating the environment in $PREFIX"
"$PY" -m venv "$PREFIX"
version=$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$HERE/MANIFEST.json")
spec="rag==$version"
[ -n "$EXTRAS" ] && spec="rag[$EXTRAS]==$version"
say "installing $spec from the bundle's wheels (no index)"
"$PREFIX/bin/python" -m pip install --isolated --no-index --find-links "$HERE/wheels" --quiet "$spec" \
  || fail "pip could not install from the bundle (an extra not bundled? see MANIFEST.json)"

if [ -z "$CACHE" ]; then
  CACHE=$("$PREFIX/bin/python" -c 'from rag.config import Settings; print(Settings.from_env().cache_dir)')
fi
say "copying the models to $CACHE"
mkdir -p "$CACHE"
cp -R --preserve=timestamps "$HERE/models/." "$CACHE/"  # the split files name their source by its mtime

say "checking: rag index and rag doctor over selftest/"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RAG_CACHE_DIR="$CACHE" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
RAG_CORPUS_DIR="$HERE/selftest/corpus" "$PREFIX/bin/rag" index --index "$work/index" 2> "$work/index.log" \
  || { cat "$work/index.log" >&2; fail "rag index failed"; }
if grep -qiE "exporting|download" "$work/index.log"; then
  cat "$work/index.log" >&2; fail "the models were not found as bundled (something was exported or downloaded)"
fi
"$PREFIX/bin/rag" doctor --index "$work/index" --corpus "$HERE/selftest/corpus" || fail "rag doctor found problems"
say "installed: $PREFIX/bin/rag (models in $CACHE)"
