# Translation and vendored-asset targets. Included from the Makefile: `include scripts/messages.mk`.
# Variables are ?= so the Makefile may set them first.
PYTHON_BIN ?= .venv/bin/python
MANAGE ?= DEBUG=1 $(PYTHON_BIN) manage.py
PO = locale/en/LC_MESSAGES/django.po
# --add-location=file: references without line numbers, so unrelated edits don't churn the .po.
MAKEMESSAGES_FLAGS = -l en --add-location=file \
	--ignore=.venv --ignore=static --ignore=staticfiles --ignore=node_modules

.PHONY: messages compilemessages check-messages vendor-assets

## Extract msgids (Chinese) from code and templates into the English .po, then list what needs
## translating: edit the .po (fill empty msgstr, fix and un-flag "#, fuzzy"), then `make compilemessages`.
messages:
	$(MANAGE) makemessages $(MAKEMESSAGES_FLAGS)
	@msgattrib --untranslated --no-wrap $(PO) | grep -A1 '^msgid "[^"]' || true
	@msgattrib --only-fuzzy --no-wrap $(PO) | grep -A1 '^msgid "[^"]' || true
	@msgfmt --statistics -o /dev/null $(PO)

## Build the .mo that Django loads (committed to the repository).
compilemessages:
	$(MANAGE) compilemessages -l en --ignore=.venv

## Fail if any entry is untranslated or fuzzy (for CI or before committing).
check-messages:
	@msgfmt --check -o /dev/null $(PO)
	@test -z "$$(msgattrib --untranslated $(PO) | grep '^msgid "[^"]')" || { echo "untranslated entries in $(PO)"; exit 1; }
	@test -z "$$(msgattrib --only-fuzzy $(PO) | grep '^msgid "[^"]')" || { echo "fuzzy entries in $(PO)"; exit 1; }

## Re-fetch the pinned Bootstrap from the npm registry into static/vendor/ (see static/vendor/README.md).
vendor-assets:
	scripts/vendor_assets.sh
