#!/usr/bin/env bash
# Rewrites every golden file from the current binary; review `git diff` after.
set -eu
cd "$(dirname "$0")/../.."
bash tests/golden/run.sh "${1:?usage: regen.sh REACHMAP}" --regen
bash tests/topology/run.sh "$1" --regen >/dev/null || true
bash tests/kube/golden.sh "$1" --regen
bash tests/init/golden.sh "$1" --regen
echo "golden files rewritten; review them with git diff"
