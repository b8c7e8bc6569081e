# CollabDev+: `make run` serves the app on http://localhost:8080; `make test` runs every suite.
SHELL := /bin/bash
ROOT := $(CURDIR)
CMAKE_DEBUG := build/debug
CMAKE_RELEASE := build/release

.PHONY: run test tsan fuzz deps build build-debug web services migrate stop bench clean

# `make run NEO4J=1` also starts the local Neo4j (scripts/neo4j/) and mirrors the artifact graph into it.
run: deps build web services
	@NEO4J=$(NEO4J) scripts/run.sh

test:
	@scripts/deps.sh test
	@scripts/test.sh

# ThreadSanitizer build (build/tsan) and the concurrency-heavy suites under it.
tsan:
	@scripts/deps.sh test
	@scripts/tsan.sh

# The fuzz targets (libFuzzer, ASan, UBSan: changesets, then page operations) for a long run: FUZZ_SECONDS each (default 600).
# make test runs them for 25 and 15 s.
fuzz:
	@scripts/deps.sh test
	@server/src/modules/files/fuzz/run.sh $(or $(FUZZ_SECONDS),600)
	@server/src/modules/pages/fuzz/run.sh $(or $(FUZZ_SECONDS),600)

deps:
	@NEO4J=$(NEO4J) scripts/deps.sh run

build:
	@[ -f $(CMAKE_RELEASE)/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build $(CMAKE_RELEASE) --target collabdev

build-debug:
	@[ -f $(CMAKE_DEBUG)/build.ninja ] || cmake --preset debug >/dev/null
	@cmake --build $(CMAKE_DEBUG)

web:
	@scripts/web.sh

services:
	@scripts/services.sh start

migrate: build services
	@. .var/env && $(CMAKE_RELEASE)/collabdev migrate

stop:
	@scripts/stop.sh

bench:
	@scripts/deps.sh test
	@bench/run.sh

clean: stop
	rm -rf build .var web/dist
