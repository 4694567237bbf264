# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

VENDOR := static/vendor/dsfr
# axe-core (npm): the accessibility rules that Playwright runs in the pages (core/axe.py)
AXE := static/vendor/axe/axe.min.js
# Debian's chromium, the browser Playwright drives (never a downloaded one): core/browser.py
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH
# Marianne as TrueType, for the PDFs (reportlab embeds TrueType; the DSFR ships web fonts)
FONTS := static/vendor/fonts/Marianne-Regular.ttf
CATALOGS := $(wildcard accelerator/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

# Dependencies are installed from the locks (exact versions and their hashes), never
# resolved anew: pyproject.toml holds the ranges, `make lock` turns them into the locks.
LOCK_RUNTIME := requirements/runtime.txt
LOCK_TEST := requirements/test.txt
# The platform every machine of the project runs (CI included): Python 3.11, linux x86_64.
LOCK_PLATFORM := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --no-header --quiet \
	$(LOCK_PLATFORM) $(if $(UPGRADE),--upgrade,)
# A dependency added to pyproject.toml but not to the locks is missing from the venv.
CHECK_LOCK = $(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
	echo "pyproject.toml asks for packages the locks do not hold: run 'make lock'"; exit 1; }

.PHONY: install install-test assets translations migrate seed run test test-api test-browser browser \
	lint security lock format extract-messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(LOCK_RUNTIME) pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_RUNTIME)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(CHECK_LOCK)
	touch $@

$(VENV)/.installed-test: $(LOCK_TEST) pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_TEST)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(CHECK_LOCK)
	touch $(VENV)/.installed $@

# Refresh the locks from pyproject.toml, keeping the versions locked so far (UPGRADE=1:
# the newest versions the ranges allow). uv comes from PyPI; the locks are what CI installs.
lock: | $(BIN)/activate
	$(BIN)/pip install --quiet 'uv>=0.5'
	$(COMPILE) -o $(LOCK_RUNTIME)
	$(COMPILE) --extra test -o $(LOCK_TEST)
	@echo "Locks written: $(LOCK_RUNTIME), $(LOCK_TEST). Commit them with pyproject.toml."

install: $(VENV)/.installed assets translations

install-test: $(VENV)/.installed-test translations $(FONTS)

# The State's design system, from the npm package @gouvfr/dsfr, copied into static/vendor.
assets: $(VENDOR)/dsfr.min.css $(AXE) $(FONTS)

# The DSFR's WOFF files hold TrueType outlines: fontTools unwraps them (accelerator/core/fonts.py).
$(FONTS): $(VENDOR)/dsfr.min.css | $(VENV)/.installed
	$(BIN)/python -m accelerator.core.fonts $(VENDOR)/fonts $(dir $@)

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

# node_modules is filled by the DSFR's rule (npm install of package.json).
$(AXE): $(VENDOR)/dsfr.min.css
	@test -f node_modules/axe-core/axe.min.js || \
		npm install --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(dir $@) && cp node_modules/axe-core/axe.min.js $@

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

# The web server, one Celery worker and beat (Procfile, run by honcho); the broker is the
# instance's SQLite file unless CELERY_BROKER_URL or REDIS_URL names one.
run: install seed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names one; then the
# API walk (schemathesis as every role), once, on PostgreSQL when there is one, timed.
test: install-test
	APP_ENV=testing TEST_DATABASE_URL= $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $$TEST_DATABASE_URL"; \
		APP_ENV=testing $(BIN)/pytest; \
	fi
	$(MAKE) --no-print-directory test-api
	$(MAKE) --no-print-directory test-browser

# The API against its OpenAPI document, fuzzed as anonymous and as every role
# (tests/core/test_api_fuzz.py; API_FUZZ_EXAMPLES sets the depth).
test-api: install-test
	@start=$$(date +%s); APP_ENV=testing $(BIN)/pytest -m api_walk -q tests/core/test_api_fuzz.py; \
	status=$$?; \
	echo "API walk ($${TEST_DATABASE_URL:-sqlite}): $$(( $$(date +%s) - start )) s"; exit $$status

# The journey in a real browser (tests/browser: Playwright driving Debian's chromium, axe-core
# on every page), once, timed; screenshots in ARTIFACTS_DIR. Without chromium and without a
# way to install it, it says so and skips (CI installs it: .ci/run).
ARTIFACTS_DIR ?= $(CURDIR)/artifacts/browser
export ARTIFACTS_DIR
test-browser: install-test assets
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		echo "Browser tests SKIPPED: no chromium at $(CHROMIUM_PATH) (make browser installs" \
			"Debian's package, or set CHROMIUM_PATH)."; \
		if [ -n "$$CI" ]; then echo "CI must run them: failing."; exit 1; fi; exit 0; \
	fi; \
	start=$$(date +%s); APP_ENV=testing $(BIN)/pytest -m browser -q -p no:randomly tests/browser; \
	status=$$?; \
	echo "Browser journey ($${TEST_DATABASE_URL:-sqlite}): $$(( $$(date +%s) - start )) s;" \
		"screenshots in $(ARTIFACTS_DIR)"; exit $$status

# Debian's chromium for the browser tests (as root, or with sudo), when it is missing.
browser:
	@if [ -x "$(CHROMIUM_PATH)" ]; then echo "chromium: $(CHROMIUM_PATH)"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "No chromium at $(CHROMIUM_PATH) and no apt-get: install chromium and set CHROMIUM_PATH"; \
		exit 1; \
	fi; \
	sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$sudo apt-get update -qq || echo "apt-get update failed: trying the package lists at hand"; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium publicsuffix >/dev/null && \
		echo "chromium installed: $(CHROMIUM_PATH)"

lint: install-test
	$(BIN)/ruff check accelerator tests bench config.py wsgi.py
	$(BIN)/ruff format --check accelerator tests bench config.py wsgi.py

# Security checks, run by CI before the tests: bandit's rules (ruff S) on the code, and the
# locked dependencies against PyPI's vulnerability records (pip-audit), when reachable.
# ruff's S rules (bandit), then pip-audit on the locks. pip-audit asks the package index for
# each release's known vulnerabilities; where the index used here does not publish them, it
# says "could not be audited" and this target says plainly that nothing was audited.
security: install-test
	$(BIN)/ruff check --select S accelerator config.py wsgi.py
	@$(BIN)/pip-audit --vulnerability-service pypi --disable-pip --require-hashes \
		--progress-spinner off -r $(LOCK_TEST) > $(VENV)/pip-audit.txt 2>&1; status=$$?; \
	cat $(VENV)/pip-audit.txt; \
	unaudited=$$(grep -c "could not be audited" $(VENV)/pip-audit.txt); \
	if [ "$$unaudited" -gt 0 ]; then \
		echo "pip-audit: $$unaudited locked dependencies were NOT audited (their vulnerability" \
			"records cannot be read from this network)."; \
	fi; \
	exit $$status

format: install-test
	$(BIN)/ruff check --fix accelerator tests bench config.py wsgi.py
	$(BIN)/ruff format accelerator tests bench config.py wsgi.py

clean:
	rm -rf $(VENV) node_modules static/vendor instance artifacts
