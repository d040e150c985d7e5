# maitred: every command a newcomer, CI or an SRE needs. `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUF := node_modules/.bin/buf
# The console's npm project (console/): axe-core for the browser tests; `npm ci` writes this file.
CONSOLE_DEPS := console/node_modules/.package-lock.json

.PHONY: help venv run test test-unit test-service test-fuzz test-integration test-e2e test-faults test-console console-deps fuzz protos protos-check proto-lint lint token ci bench openapi openapi-check k8s-check settings-table settings-check bench-quality

help:
	@echo "make run          start the whole suite (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set)"
	@echo "make test         run every test tier (console unit tests, unit, service, fuzz, integration, e2e)"
	@echo "make test-console the console's own unit tests (node --test, no browser)"
	@echo "make fuzz         a long fuzz run: FUZZ_CALLS gRPC and FUZZ_HTTP_CALLS HTTP calls from FUZZ_SEED (random unless given)"
	@echo "make test-faults  faults under booking load (Redis, PostgreSQL, SIGKILL, a slow service, guests cancelling); table in bench/results/faults.md; the cancel races, 100 rounds each"
	@echo "make protos       regenerate shared/stubs from protos/"
	@echo "make proto-lint   buf lint, and buf breaking against earlier commits"
	@echo "make k8s-check    render every deploy/k8s overlay and validate it against the Kubernetes schemas"
	@echo "make openapi      regenerate the gateway's OpenAPI document from the protos' http annotations"
	@echo "make lint         ruff and mypy"
	@echo "make settings-table  regenerate README's configuration table from the settings classes"
	@echo "make bench        benchmarks; numbers go to bench/results/"
	@echo "make bench-quality covers seated: first-fit, engine, engine + yield, hindsight; bench/results/quality*.md"
	@echo "make token ROLE=ops VENUE=demo-bistro   mint a development token (needs MAITRED_JWT_SECRET)"

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP) $(BUF)
	$(PY) scripts/run_suite.py

test: $(STAMP) $(BUF) $(CONSOLE_DEPS)
	cd console && npm test --silent
	$(VENV)/bin/pytest

test-unit test-service test-fuzz test-integration test-e2e: $(STAMP) $(BUF) $(CONSOLE_DEPS)
	$(VENV)/bin/pytest tests/$(subst test-,,$@)

test-faults: $(STAMP)
	MAITRED_FAULTS_REPORT=bench/results/faults.md $(VENV)/bin/pytest tests/e2e/test_faults.py -s
	MAITRED_RACE_ITERATIONS=100 $(VENV)/bin/pytest tests/service/test_cancel_races.py

# The fuzz tier at length; the seed is printed so a failure can be replayed with FUZZ_SEED=<seed>.
FUZZ_CALLS ?= 30000
FUZZ_HTTP_CALLS ?= 8000
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz: $(STAMP)
	MAITRED_FUZZ_SEED=$(FUZZ_SEED) MAITRED_FUZZ_CALLS=$(FUZZ_CALLS) MAITRED_FUZZ_HTTP_CALLS=$(FUZZ_HTTP_CALLS) \
	  $(VENV)/bin/pytest tests/fuzz -s -o timeout=0

$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --silent
	touch $(CONSOLE_DEPS)

console-deps: $(CONSOLE_DEPS)

test-console: $(CONSOLE_DEPS)
	cd console && npm test --silent

protos: $(STAMP)
	$(PY) scripts/generate_stubs.py

protos-check: protos
	@git diff --exit-code --stat -- shared/stubs && test -z "$$(git status --porcelain -- shared/stubs)" \
	  || (echo "shared/stubs is out of date with protos/: run 'make protos' and commit" && exit 1)

# Also installs swagger-ui-dist, the page the gateway serves at /docs/.
$(BUF): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(BUF)

settings-table: $(STAMP)
	$(PY) scripts/settings_table.py

settings-check: $(STAMP)
	$(PY) scripts/settings_table.py --check

# Needs protoc-gen-swagger from Debian's golang-grpc-gateway (.ci/run installs it).
openapi: $(STAMP)
	$(PY) scripts/generate_openapi.py

openapi-check: openapi
	@git diff --exit-code --stat -- services/gateway/openapi \
	  && test -z "$$(git status --porcelain -- services/gateway/openapi)" \
	  || (echo "the OpenAPI document is out of date with protos/: run 'make openapi' and commit" && exit 1)

# kubectl (Debian's kubernetes-client or any newer one) renders; kubernetes-validate (PyPI,
# schemas bundled: works offline) checks every object strictly against the API's schemas.
K8S_OVERLAYS := dev prod
K8S_VERSION := 1.32.0
k8s-check: $(STAMP)
	@mkdir -p build/k8s
	@for overlay in $(K8S_OVERLAYS); do \
	  kubectl kustomize deploy/k8s/overlays/$$overlay > build/k8s/$$overlay.yaml 2>build/k8s/$$overlay.log \
	    || { cat build/k8s/$$overlay.log; exit 1; }; \
	  $(VENV)/bin/kubernetes-validate --strict --quiet -k $(K8S_VERSION) build/k8s/$$overlay.yaml || exit 1; \
	  echo "deploy/k8s/overlays/$$overlay: rendered and valid for Kubernetes $(K8S_VERSION)"; \
	done

proto-lint: $(BUF)
	$(BUF) lint
	scripts/check_breaking.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services scripts $(wildcard bench)

token: $(STAMP)
	$(PY) -m shared.cli mint-token --role $(or $(ROLE),ops) --venue "$(or $(VENUE),*)"

bench: $(STAMP)
	$(PY) -m bench.engine_bench
	$(PY) -m bench.availability_bench
	$(PY) -m bench.watch_floor
	$(PY) -m bench.journey_bench
	$(PY) -m bench.optimizer_bench
	$(PY) -m bench.optimizer_service_bench
	$(PY) -m bench.gateway_bench
	$(PY) -m bench.request_check_bench
	$(PY) -m bench.venues_bench
	$(PY) -m bench.console_bench
	$(PY) -m bench.floor_keys_migration_bench
	$(MAKE) bench-quality

bench-quality: $(STAMP)
	$(PY) -m bench.quality_bench
	$(PY) -m bench.quality_api

ci: protos-check openapi-check settings-check k8s-check proto-lint lint test
