#!/usr/bin/env bash
# Create the peer environment: L0Learn 0.4.3 and abess need CPython <= 3.10 and numpy < 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py310="${PY310:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.10.13/bin/python}"
"$py310" -m venv "$here/.venv-peer"
"$here/.venv-peer/bin/pip" install --quiet "numpy<2" "l0learn==0.4.3" "abess" "scikit-learn"
echo "peer environment ready: $here/.venv-peer/bin/python"
