# Two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make run    install into .venv and start the bot (SQLite by default)
#   make test   install into .venv and run the whole suite (lint, format check, pytest)
# Settings come from the environment, or from a .env file beside this Makefile (KEY=value lines).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env)
endif

.PHONY: run test migrate lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres,dev]'
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/interview-bot run

migrate: $(VENV)/.run-installed
	$(BIN)/interview-bot migrate

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest
