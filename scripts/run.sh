#!/usr/bin/env bash
# The main job: set up, ingest the bundled sample, then open the chat.
# Until `budgetqa chat` exists, it answers a sample question and prints the sample's 三公 table (表十).
# The data directory is BUDGETQA_HOME if set, else ./budgetqa-data in the checkout.
#
#   bash scripts/run.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($#)); then
    echo "run.sh takes no arguments (set BUDGETQA_HOME to choose the data directory)" >&2
    exit 2
fi

bash scripts/setup.sh

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
budgetqa=.venv/bin/budgetqa

"$budgetqa" ingest data/sample

if "$budgetqa" chat --help >/dev/null 2>&1; then
    exec "$budgetqa" chat
fi

echo "(budgetqa chat is not available yet: answering a sample question and showing its table instead)"
"$budgetqa" ask "外事办今年出国经费多少？"
"$budgetqa" show 外事办公室 --table 表十
