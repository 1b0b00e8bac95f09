# The two commands: `make run` (the demo hub on SQLite and a filesystem broker) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test test-postgres lint format clean messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: node_modules/.installed $(wildcard static_src/*.scss)
	npm run --silent build

install: $(BIN)/.installed static/build/app.css

# The Welsh catalogue (docs/adr/0027): every text marked for translation into locale/cy/LC_MESSAGES/django.po (new
# ones with an empty msgstr, for the translator), then compiled. Needs GNU gettext (Debian's package `gettext`); the
# compiled .mo is committed, so `make run` and `make test` need no gettext.
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'tests/*' \
	--ignore 'static/*' --ignore 'docs/*'
# The scripts' texts: static/js only (GOV.UK Frontend's bundle and the build output are not ours).
MESSAGES_JS_IGNORE := --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'bench/*' \
	--ignore 'tests/*' --ignore 'docs/*' --ignore 'static/govuk/*' --ignore 'static/build/*' --ignore 'static_src/*'
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages --locale cy --no-obsolete --add-location file $(MESSAGES_IGNORE)
	DEBUG=true $(BIN)/python manage.py makemessages --locale cy --no-obsolete --add-location file --domain djangojs \
		$(MESSAGES_JS_IGNORE)
	DEBUG=true $(BIN)/python manage.py compilemessages --locale cy --ignore '.venv/*' --ignore 'node_modules/*'

# The demo's key that signs the ledger's heads (README "Ledger heads outside the database"), made once; in production
# the key lives in a secret mount, never beside the database.
AUDIT_KEY := $(CURDIR)/var/audit-signing.key
DEMO_ENV := DEBUG=true MASH_VAR_DIR="$(CURDIR)/var" AUDIT_SIGNING_KEY_FILE="$(AUDIT_KEY)"

run: install
	mkdir -p var
	test -f "$(AUDIT_KEY)" || $(DEMO_ENV) $(BIN)/python manage.py audit_key --create "$(AUDIT_KEY)"
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  mash is starting at http://127.0.0.1:$(PORT)/  (web, Celery worker and beat, clamd, each restarted if it stops; Ctrl-C stops them all)"
	@echo "  Virus scanner: $$(DEBUG=true MASH_VAR_DIR="$(CURDIR)/var" $(BIN)/python manage.py clamd_local --check)"
	@echo ""
	$(DEMO_ENV) PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/supervisord --configuration supervisord.dev.conf

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite on the local PostgreSQL and Redis, as CI runs it.
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mash} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/build static/govuk var
