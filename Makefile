# The podinfo delivery pipeline. `make test` is the test command CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
PKG      := github.com/deliverykit/podinfo/src/internal/version
LDFLAGS  := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Revision=$(REVISION)
GOBUILD  := CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags "$(LDFLAGS)"

# Go modules of this repository: the service, the Dagger module, the native tests.
MODULES := . ci tests
TEST_TIMEOUT ?= 80m

.PHONY: all build run test lint tools bench clean check-module

# Packages of the module in the current directory, less the Dagger module's
# main package: it imports the engine-generated ci/internal/dagger, which only
# `make check-module` supplies (as stand-ins for dagger.io/dagger v0.21.9).
pkgs = $$(go list -e ./... | grep -vx 'github.com/deliverykit/podinfo/ci')

all: build

## build: the service and the rotation Lambda into bin/
build:
	$(GOBUILD) -o bin/podinfo ./src/cmd/podinfo
	$(GOBUILD) -o bin/rotator ./src/cmd/rotator

## run: the service on :9898 with debug logs
run: build
	./bin/podinfo --level=debug

## tools: build every pinned external tool from source into the tool cache
tools:
	cd tests && go run ./cmd/installtools

## test: every test of every module (tools are built from source on first use)
test: tools check-module
	@for m in $(MODULES); do \
		echo "== go test $$m"; \
		(cd $$m && go test -timeout $(TEST_TIMEOUT) -count=1 $(pkgs)) || exit 1; \
	done

## lint: gofmt and go vet over every module
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do (cd $$m && go vet $(pkgs)) || exit 1; done

## check-module: type-check, vet and unit-test the Dagger module and its tests
## module against dagger.io/dagger v0.21.9 stand-ins, without an engine
check-module:
	cd ci && go run ./hack/checkmodule -config ../dagger.json
	cd ci && go run ./hack/checkmodule -config tests/dagger.json

## bench: the benchmarks behind the README's measured figures, in bench.txt
## (compare two runs with `benchstat old.txt bench.txt`)
bench:
	{ go test -run '^$$' -bench . -benchmem -count 6 ./src/... ; \
	  cd tests && go test -run '^$$' -bench . -benchmem -count 6 ./service ./lambda ; } | tee bench.txt

clean:
	rm -rf bin bench.txt
