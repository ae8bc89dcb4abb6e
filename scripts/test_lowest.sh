#!/usr/bin/env bash
# The suite on the oldest dependency releases pyproject.toml admits (constraints/lowest.txt), in a
# venv of its own, so the lower bounds are tested ones, not guesses.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-lowest
.venv-lowest/bin/pip install -q -c constraints/lowest.txt -e '.[test]'
.venv-lowest/bin/pip list 2>/dev/null | grep -iE '^(textual|rich|httpx|msgspec|tomli.w|pyperclip|starlette|uvicorn) '
.venv-lowest/bin/python -m pytest "$@"
