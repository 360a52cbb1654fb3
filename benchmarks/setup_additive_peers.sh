#!/usr/bin/env bash
# Peers for the additive-model (FAST) and rule-extraction (FIRE) benchmarks:
# interpret (EBM), pygam, imodels (RuleFit; it imports `six` without declaring it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3.11 -m venv "$here/.venv-additive"
"$here/.venv-additive/bin/pip" install --quiet interpret pygam imodels six scikit-learn
echo "peer environment ready: $here/.venv-additive/bin/python"
