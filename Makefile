# The two commands of the README: `make demo` and `make test`. Everything else is theirs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test install translations messages clean

demo: install
	$(BIN)/liaison demo

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP) translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

# the catalogs are compiled at install; the .mo files are not in git
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations > /dev/null

# for developers: collect new strings into both catalogs (then translate them)
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o webapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance/pg-test instance/redis-test
