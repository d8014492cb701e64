#!/usr/bin/env bash
# Set up BudgetQA on this machine: system packages, the .venv virtual environment, the
# pinned Python requirements and an editable install of this checkout.
#
#   bash scripts/setup.sh          # runtime
#   bash scripts/setup.sh --dev    # runtime + test extras (pytest, playwright, test model)
#
# Idempotent: a stamp file in .venv records the hash of the requirement files, pyproject.toml
# and this script, so a second run with nothing changed only checks and returns.
# Environment: PYTHON (interpreter for a new .venv, default python3.11);
# BUDGETQA_SKIP_APT=1 skips the system packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

dev=0
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1 ;;
        -h|--help)
            sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
            exit 0 ;;
        *) echo "setup.sh: unknown argument: $arg (use --dev or --help)" >&2; exit 2 ;;
    esac
done

say() { printf '[setup] %s\n' "$*"; }

# Never let an install reach for browsers or model hubs on the internet.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
export DEBIAN_FRONTEND=noninteractive

# --- system packages (Debian): Chromium and a CJK font for the browser tests; PostgreSQL for the
# fact-store tests on a real server (tests/postgres_server.py) ---------------------------------
apt_packages=(chromium fonts-wqy-microhei postgresql)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

if [[ "${BUDGETQA_SKIP_APT:-0}" == 1 ]]; then
    say "BUDGETQA_SKIP_APT=1: not checking system packages (${apt_packages[*]})."
elif ! command -v dpkg-query >/dev/null 2>&1; then
    say "no dpkg here: install ${apt_packages[*]} (or equivalents) yourself; continuing."
else
    missing=()
    for pkg in "${apt_packages[@]}"; do
        installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        if [[ "$(id -u)" -ne 0 ]]; then
            say "not root: skipping apt. Missing system packages: ${missing[*]}"
            say "  install them with: sudo apt-get install ${missing[*]}  (needed for browser tests)"
        else
            say "installing system packages: ${missing[*]}"
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        fi
    fi
fi

# PostgreSQL will not run as root: the tests start their server as this unprivileged user
if [[ "$(id -u)" -eq 0 ]] && command -v useradd >/dev/null 2>&1 && ! id budgetqa >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin budgetqa || say "could not create user budgetqa (tests fall back to nobody)"
fi

# --- virtual environment -------------------------------------------------------------------------
python="${PYTHON:-python3.11}"
venv_ok() {
    [[ -x .venv/bin/python ]] &&
        .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}
if ! venv_ok; then
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "setup.sh: $python not found; install Python 3.11 or set PYTHON=/path/to/python3.11" >&2
        exit 1
    fi
    if [[ -e .venv ]]; then
        say ".venv is not a working Python 3.11 environment: recreating it"
        rm -rf .venv
    fi
    say "creating .venv with $("$python" --version 2>&1)"
    "$python" -m venv .venv
fi

# --- Python packages, skipped when the stamp says nothing changed ------------------------------
hash_inputs=(requirements.txt requirements-dev.txt pyproject.toml scripts/setup.sh)
want="$(cat "${hash_inputs[@]}" | sha256sum | cut -d' ' -f1)"
stamp_runtime=.venv/.budgetqa-setup-runtime
stamp_dev=.venv/.budgetqa-setup-dev

stamp_matches() { [[ -f "$1" && "$(cat "$1")" == "$want" ]]; }

if [[ -x .venv/bin/budgetqa ]]; then
    if stamp_matches "$stamp_dev" || { ((dev == 0)) && stamp_matches "$stamp_runtime"; }; then
        say "Python packages up to date (stamp in .venv); nothing to install."
        exit 0
    fi
fi

pip=(.venv/bin/python -m pip)
# pip install, quiet, minus the machine's "Location 'file:///opt/...' is ignored" notices
# (an extra-index-url without every project); errors still show and still fail the run.
pip_install() {
    "${pip[@]}" install --quiet "$@" 2>&1 |
        { grep -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory\.\$" || true; }
}
say "upgrading pip"
pip_install --upgrade pip

# torch first, exactly as pinned, so nothing that depends on it can pull another build.
torch_pin="$(grep -E '^torch==' requirements.txt | head -n1 | tr -d '[:space:]')"
if [[ -n "$torch_pin" ]]; then
    say "installing $torch_pin"
    pip_install "$torch_pin"
fi

say "installing requirements.txt (the first run takes a few minutes)"
pip_install -r requirements.txt
if ((dev)); then
    say "installing requirements-dev.txt"
    pip_install -r requirements-dev.txt
fi
say "installing budgetqa (editable)"
# setuptools warns about editable installs on every build; show its output only on failure.
if ! log="$("${pip[@]}" install --quiet -e . --no-deps 2>&1)"; then
    printf '%s\n' "$log" >&2
    echo "setup.sh: the editable install of budgetqa failed (output above)" >&2
    exit 1
fi

if ((dev)); then
    echo "$want" >"$stamp_dev"
fi
echo "$want" >"$stamp_runtime"
say "done: $(.venv/bin/python --version), command .venv/bin/budgetqa"
