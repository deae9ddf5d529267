# shellcheck shell=bash
# Shared setup for scripts/test and scripts/serve. Source it; do not execute it.
#
# Builds .venv (Python 3.11) from requirements.lock on a fresh clone and keeps it
# in sync afterwards. Quiet unless a step fails, then prints that step's output.
# Leaves the shell in the repository root with REPO_ROOT set.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
cd "$REPO_ROOT"

UV_PIN="uv==0.13.9"
VENV="$REPO_ROOT/.venv"

_bootstrap_run() {
  # Run a command quietly; on failure show its output and return its status.
  local log status
  log="$(mktemp "${TMPDIR:-/tmp}/kompetanse-bootstrap.XXXXXX")"
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  else
    status=$?
    echo "bootstrap: failed ($status): $*" >&2
    cat "$log" >&2
    rm -f "$log"
    return "$status"
  fi
}

_bootstrap_find_python() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "bootstrap: Python 3.11 not found on PATH (tried python3.11, python3)" >&2
  return 1
}

_bootstrap_venv() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    local py
    py="$(_bootstrap_find_python)" || return 1
    _bootstrap_run "$py" -m venv "$VENV" || return 1
  fi
  if [[ ! -x "$VENV/bin/uv" ]]; then
    _bootstrap_run "$VENV/bin/python" -m pip install --quiet "$UV_PIN" || return 1
  fi
  # Already in sync with this lock and project: change nothing. `uv pip sync` removes the
  # editable project until the next line puts it back, so re-syncing an up-to-date venv
  # pulled `.venv/bin/kompetanse` from under the processes running it (a test starts
  # scripts/serve while the suite's other worker starts `kompetanse`).
  local stamp="$VENV/.bootstrap-stamp" wanted
  wanted="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" && -x "$VENV/bin/kompetanse" ]]; then
    return 0
  fi
  _bootstrap_run "$VENV/bin/uv" pip sync --python "$VENV/bin/python" requirements.lock || return 1
  _bootstrap_run "$VENV/bin/uv" pip install --python "$VENV/bin/python" --no-deps -e . || return 1
  echo "$wanted" >"$stamp"
}

# `apt-get update` once per run, however many packages are installed after it.
_bootstrap_apt_update() {
  if [[ -z "${_BOOTSTRAP_APT_UPDATED:-}" ]]; then
    DEBIAN_FRONTEND=noninteractive _bootstrap_run apt-get update || return 1
    _BOOTSTRAP_APT_UPDATED=1
  fi
}

# PostgreSQL server binaries, needed by the test suite's throwaway cluster.
# Called by scripts/test only.
ensure_postgres_binaries() {
  if [[ -n "${KOMPETANSE_TEST_POSTGRES_URL:-}" ]]; then
    return 0  # tests use an existing server
  fi
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "bootstrap: installing PostgreSQL (apt-get install -y postgresql)..." >&2
    _bootstrap_apt_update || return 1
    DEBIAN_FRONTEND=noninteractive _bootstrap_run apt-get install -y postgresql || return 1
  else
    echo "bootstrap: PostgreSQL server binaries (initdb, pg_ctl) are missing." >&2
    echo "  Install them, e.g. 'sudo apt-get install -y postgresql', or set" >&2
    echo "  KOMPETANSE_TEST_POSTGRES_URL=postgresql://user@host:port/postgres to use a running server." >&2
    return 1
  fi
}

# pdftotext (Debian `poppler-utils`): the tests read the text of the applicant's PDF export.
# Called by scripts/test only.
ensure_pdftotext() {
  if command -v pdftotext >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "bootstrap: installing pdftotext (apt-get install -y poppler-utils)..." >&2
    _bootstrap_apt_update || return 1
    DEBIAN_FRONTEND=noninteractive _bootstrap_run apt-get install -y poppler-utils || return 1
  else
    echo "bootstrap: pdftotext is missing; install it, e.g. 'sudo apt-get install -y poppler-utils'." >&2
    return 1
  fi
}

# Chromium and its driver, for the browser tests of the web pages (tests/web).
# Called by scripts/test only. The Debian packages; nothing downloads a browser.
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "bootstrap: installing Chromium (apt-get install -y chromium chromium-driver)..." >&2
    _bootstrap_apt_update || return 1
    DEBIAN_FRONTEND=noninteractive _bootstrap_run apt-get install -y chromium chromium-driver \
      || return 1
  else
    echo "bootstrap: chromium and chromedriver are missing (the browser tests need them)." >&2
    echo "  Install them, e.g. 'sudo apt-get install -y chromium chromium-driver'." >&2
    return 1
  fi
}

_bootstrap_venv || { echo "bootstrap: could not prepare $VENV" >&2; exit 1; }
