# linkbox: build, test, benchmark and fuzz. Everything that touches the
# kernel runs in a sandbox of fresh user, network and mount namespaces (see
# nsfs/nstest), so none of these targets needs root or touches the host's
# network.

GO       ?= go
BIN      := bin/linkbox
LDFLAGS  := -s -w
FUZZTIME ?= 10s

.PHONY: all build demo test vet fmt-check bench fuzz corpus clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/linkbox

# The seed's topology in a sandbox: namespaces, veth pairs, a bridge,
# traffic across it, teardown. Needs unshare(1) from util-linux.
demo: build
	cmd/linkbox/demo.sh $(BIN)

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The main module, then the nested module that checks linkbox-cni with
# the CNI project's own cnitool (it fetches the CNI modules first).
test: fmt-check vet
	$(GO) test ./...
	cd cmd/linkbox/cnitest && $(GO) vet ./... && $(GO) test ./...

# Micro-benchmarks of every package, then the bulk scenarios against
# iproute2 (S1, S1c, S2, S3; minutes; needs iproute2, nsenter and GNU
# time). LINKBOX_BENCH_RUNS, _PAIRS, _NS and _ONLY tune the scenarios.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	LINKBOX_BENCH_SCENARIOS=1 $(GO) test -run '^$$' -bench Scenarios -benchtime 1x -timeout 60m ./cmd/linkbox

# Every fuzz target in turn, FUZZTIME each; prints executions and
# executions per second per target. A crasher lands in testdata/fuzz.
fuzz:
	GO=$(GO) fuzz/run.sh $(FUZZTIME)

# The kernel seed corpus, captured in the sandbox; commit fuzz/testdata/fuzz.
corpus:
	LINKBOX_CORPUS=write $(GO) test ./fuzz -run '^TestWriteCorpus$$' -count=1 -v

clean:
	rm -rf bin
