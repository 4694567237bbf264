# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

VENDOR := static/vendor/dsfr
CATALOGS := $(wildcard accelerator/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: install install-test assets translations migrate seed run test lint format extract-messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed assets translations

install-test: $(VENV)/.installed-test translations

# The State's design system, from the npm package @gouvfr/dsfr, copied into static/vendor.
assets: $(VENDOR)/dsfr.min.css

$(VENDOR)/dsfr.min.css: package.json
	npm install --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/utility
	cd node_modules/@gouvfr/dsfr/dist && cp -r dsfr.min.css dsfr.module.min.js dsfr.nomodule.min.js \
		fonts icons favicon artwork $(CURDIR)/$(VENDOR)/
	cp node_modules/@gouvfr/dsfr/dist/utility/utility.min.css $(VENDOR)/utility/
	mkdir -p $(VENDOR)/utility/icons/icons-system
	cp node_modules/@gouvfr/dsfr/dist/utility/icons/icons-system/icons-system.min.css \
		$(VENDOR)/utility/icons/icons-system/
	# DSFR Chart (web components) for the managers' dashboard
	rm -rf static/vendor/dsfr-chart && mkdir -p static/vendor/dsfr-chart
	cp node_modules/@gouvfr/dsfr-chart/dist/DSFRChart/DSFRChart.js \
		node_modules/@gouvfr/dsfr-chart/dist/DSFRChart/DSFRChart.css static/vendor/dsfr-chart/
	touch $@

translations: $(COMPILED)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -d accelerator/translations >/dev/null

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* node_modules instance static' \
		-o accelerator/translations/messages.pot .
	$(BIN)/pybabel update -i accelerator/translations/messages.pot -d accelerator/translations --no-fuzzy-matching

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: install seed
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names one.
test: install-test
	APP_ENV=testing TEST_DATABASE_URL= $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $$TEST_DATABASE_URL"; \
		APP_ENV=testing $(BIN)/pytest; \
	fi

lint: install-test
	$(BIN)/ruff check accelerator tests bench config.py wsgi.py
	$(BIN)/ruff format --check accelerator tests bench config.py wsgi.py

format: install-test
	$(BIN)/ruff check --fix accelerator tests bench config.py wsgi.py
	$(BIN)/ruff format accelerator tests bench config.py wsgi.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance
