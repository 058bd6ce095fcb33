# shellcheck shell=bash
# venv_for REQUIREMENT... : prints the python of a venv holding exactly these PyPI
# requirements, made once and cached under $HOME/.cache/klever/venvs (CI keeps it).
venv_for() {
  local key venv
  key=$(printf '%s\n' "$@" | sha256sum | cut -c1-12)
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/klever/venvs/$key"
  if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$venv/.complete" ]]; then
    echo "venv: creating $venv ($*)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$@" >&2
    touch "$venv/.complete"
  fi
  echo "$venv/bin/python"
}

# requirements_of FILE : the PyPI requirements a script names in its '# requirements:' line.
requirements_of() {
  sed -n 's/^# requirements: *//p' "$1" | head -1
}
