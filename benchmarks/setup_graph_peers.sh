#!/usr/bin/env bash
# Peer for the graphical-model benchmark: CONCORD-ISTA (pyconcord, a compiled wheel).
# scikit-learn's GraphicalLasso runs in the main environment (it is a runtime dependency).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3.11 -m venv "$here/.venv-graph"
"$here/.venv-graph/bin/pip" install --quiet pyconcord numpy scikit-learn
echo "peer environment ready: $here/.venv-graph/bin/python"
