# linkbox: build, test, benchmark and fuzz. Everything that touches the
# kernel runs in a sandbox of fresh user, network and mount namespaces (see
# nsfs/nstest), so none of these targets needs root or touches the host's
# network.

GO       ?= go
BIN      := bin/linkbox
LDFLAGS  := -s -w
FUZZTIME ?= 10s

.PHONY: all build demo test vet fmt-check bench fuzz clean

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

test: fmt-check vet
	$(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
