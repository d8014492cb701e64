#!/usr/bin/env bash
# The main job: set up, ingest the bundled sample, then open the chat on http://127.0.0.1:8501
# (BUDGETQA_PORT chooses another port). Stop it with Ctrl+C.
# The data directory is BUDGETQA_HOME if set, else ./budgetqa-data in the checkout; documents
# uploaded in the chat are saved there too (uploads/).
#
#   bash scripts/run.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($#)); then
    echo "run.sh takes no arguments (set BUDGETQA_HOME for the data directory, BUDGETQA_PORT for the port)" >&2
    exit 2
fi

bash scripts/setup.sh

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
budgetqa=.venv/bin/budgetqa

"$budgetqa" ingest data/sample

# budgetqa chat prints the address, then becomes the Streamlit server (loopback only, no telemetry).
exec "$budgetqa" chat --port "${BUDGETQA_PORT:-8501}"
