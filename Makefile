# shardis: see README.md. `make run` starts the default deployment;
# `make test` runs the tests that need only Go.
GO       ?= go
BIN      := bin/shardis
PKGS     := ./...
FUZZTIME ?= 30s

.PHONY: all build run test interop race fuzz bench bench-micro fmt lint vet clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/shardis

# The default deployment of config.toml: a proxy on 127.0.0.1:7000 in front
# of three shards, each a primary and a replica with its AOF under ./data.
run: build
	$(BIN) up -config config.toml

test:
	$(GO) test -count=1 $(PKGS)

# Interop needs redis-server, redis-cli, redis-benchmark and python3-redis;
# with SHARDIS_INTEROP=1 a missing tool fails the tests instead of skipping them.
interop: build
	SHARDIS_INTEROP=1 $(GO) test -race -count=1 -timeout 15m -run 'Interop' $(PKGS)

race:
	$(GO) test -race -count=1 $(PKGS)

fuzz:
	$(GO) test ./internal/resp -run '^$$' -fuzz '^FuzzReadCommand$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/resp -run '^$$' -fuzz '^FuzzReadReply$$' -fuzztime $(FUZZTIME)
	$(GO) test ./aof -run '^$$' -fuzz '^FuzzLoadLastFile$$' -fuzztime $(FUZZTIME)

# shardis side by side with redis-server, Redis Cluster and twemproxy (where
# installed), bench/scenarios.toml: results/bench.md, bench.json, *.png.
bench: build
	$(BIN) bench -scenarios bench/scenarios.toml -out results

bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem -count=6 ./internal/... ./topology/... ./backend/... $$(for d in proxy aof; do [ -d $$d ] && echo ./$$d/...; done) | tee bench-micro.new.txt
	@if [ -f bench-micro.old.txt ] && command -v benchstat >/dev/null; then benchstat bench-micro.old.txt bench-micro.new.txt; fi
	mv bench-micro.new.txt bench-micro.old.txt

fmt:
	gofmt -w $$(git ls-files '*.go')

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

clean:
	rm -rf bin
