# Imbrace Console. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
# The newest Python 3.12+ on PATH, or one that pyenv has installed (its shims refuse versions not selected).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LOCALGATEWAY_PORT ?= 8100
export LOCALGATEWAY_PORT PORT

.PHONY: run test lint format bench bench-instructions venv dev-deps chromium valgrind postgresql nginx migrate seed reset-localgateway clean

# The console's runtime (requirements.txt, all a production host installs) and the local gateway's own.
$(BIN)/.runtime: requirements.txt requirements-localgateway.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-localgateway.txt
	@touch $@

$(BIN)/.dev: requirements-dev.txt $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.runtime
dev-deps: $(BIN)/.dev

# Debian's package $(1), whose command has the same name, unless it is there already; $(2) says what for.
apt_install = command -v $(1) >/dev/null 2>&1 || { \
	echo "Installing Debian's $(1) $(2)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }

# Debian's package $(1) unless the file $(2) is there already (a server program off the PATH); $(3) says what for.
apt_install_file = test -e "$(2)" || { \
	echo "Installing Debian's $(1) $(3)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }

# Debian's PostgreSQL and nginx for the production-stack tests and `make test DB=postgres`
# (tests/production/: throw-away servers on free ports; the packages' own services are not used).
postgresql:
	@$(call apt_install_file,postgresql,$$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | head -1),for the PostgreSQL tests)

nginx:
	@$(call apt_install_file,nginx,/usr/sbin/nginx,for the production-stack tests)

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
chromium:
	@$(call apt_install,chromium,for the browser tests)

# Debian's valgrind, for `make bench-instructions` only.
valgrind:
	@$(call apt_install,valgrind,for make bench-instructions)

migrate: venv
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 0

seed: venv
	$(BIN)/python -m localgateway seed --if-empty

reset-localgateway: venv
	$(BIN)/python -m localgateway reset

run: migrate
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python -m scripts.run

# Two test processes (pytest-xdist; tests/conftest.py keeps each module, and the production stack, in one):
# the suite mostly waits on servers, so two overlap well on two cores. PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# DB=postgres: the suite (less the production-stack tests, which run on PostgreSQL already) against a
# throw-away PostgreSQL cluster (DATABASE_URL).
test: dev-deps chromium postgresql nginx
ifeq ($(DB),postgres)
	$(BIN)/python -m tests.production.postgres -- $(PYTEST) -m "not production" $(PYTEST_ARGS)
else ifeq ($(SETTINGS),stock)
	# Every override of Django switched off (imbrace_console/fastpath/stock.py), in process and in the live consoles.
	CONSOLE_STOCK_DJANGO=1 $(PYTEST) --ds=imbrace_console.settings.stock $(PYTEST_ARGS)
else
	$(PYTEST) $(PYTEST_ARGS)
endif

# STACK=production: through deploy/'s nginx to two instances of two workers on PostgreSQL (docs/benchmarks.md).
bench: dev-deps $(if $(filter production,$(STACK)),postgresql nginx)
	$(BIN)/python -m bench $(if $(QUICK),--quick,) $(if $(STACK),--stack $(STACK),)

# The console's instructions for one items page (PAGE=knowledge: the knowledge page), under callgrind:
# a count that machine noise does not move.
bench-instructions: dev-deps valgrind
	$(BIN)/python -m bench.instructions $(if $(PAGE),--page $(PAGE))

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache  # the import contracts in pyproject.toml

format: dev-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
