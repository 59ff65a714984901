# Shared by scripts/run and scripts/test: a virtualenv in .venv with the bot installed (editable) and
# the given extras; reinstalled only when pyproject.toml or the extras change.
ensure_venv() {
  local extras="$1" stamp=".venv/.installed-$1"
  if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip > /dev/null 2>&1 || true
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # Quiet on success (build back-ends are chatty); the whole log when it fails.
    if ! .venv/bin/python -m pip install --quiet -e ".[$extras]" > .venv/install.log 2>&1; then
      cat .venv/install.log >&2
      return 1
    fi
    touch "$stamp"
  fi
}
