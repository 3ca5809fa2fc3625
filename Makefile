# make chat: set up, build the index of corpus/ if needed, start the chat on http://127.0.0.1:7860
# make bundle: the offline bundle dist/rag-bundle-VERSION-PLATFORM.tar.gz (scripts/bundle.py; EXTRAS=milvus)
# make test: set up, then run every test (unit, end-to-end with the real model, browser)
.PHONY: setup chat index test test-fast bench clean bundle

setup:
	@bash scripts/setup.sh

chat: setup
	HF_HUB_OFFLINE=1 .venv/bin/python app.py

index: setup
	HF_HUB_OFFLINE=1 .venv/bin/rag index

test: setup
	@bash scripts/install_system.sh
	@bash scripts/test.sh

test-fast: setup
	HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m "not slow"

clean:
	rm -rf index .pytest_cache tests/artifacts

bundle: setup
	HF_HUB_OFFLINE=1 .venv/bin/python scripts/bundle.py --extras "$(EXTRAS)"
