#!/usr/bin/env bash
# Environment of the exact peers: L0BnB 1.0.0 and OKRidge need numpy < 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py310="${PY310:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.10.13/bin/python}"
"$py310" -m venv "$here/.venv-exact"
"$here/.venv-exact/bin/pip" install --quiet "numpy<2" l0bnb okridge requests
echo "exact-peer environment ready: $here/.venv-exact/bin/python"
