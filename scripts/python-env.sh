#!/usr/bin/env bash
# Makes, once, the Python environment that the PyTorch and notebook tests and scripts use, and
# reuses it when it is there: a virtual environment outside the clone ($NABLA_TORCH_VENV, default
# /tmp/nabla-torch-venv) with torch, numpy, nbformat, nbclient and ipykernel. PyPI's torch wheel
# pulls its CUDA libraries (about 3 GB), so this installs only what is missing.
#
#   scripts/python-env.sh        # prints the environment's python
set -euo pipefail
venv="${NABLA_TORCH_VENV:-/tmp/nabla-torch-venv}"
packages=(torch numpy nbformat nbclient ipykernel)
modules="torch, numpy, nbformat, nbclient, ipykernel"

if ! "$venv/bin/python" -c "import $modules" >/dev/null 2>&1; then
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" >&2
    fi
    missing=()
    for package in "${packages[@]}"; do
        if ! "$venv/bin/python" -c "import $package" >/dev/null 2>&1; then
            missing+=("$package")
        fi
    done
    echo "installing ${missing[*]} into $venv (once)" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2
    # The notebook tests run their kernel by name.
    "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || true
fi
echo "$venv/bin/python"
