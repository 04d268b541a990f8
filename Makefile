# awsenv — see README.md.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
BIN_DIR = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)

.PHONY: all build release install uninstall test try deps generate lint clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# Binary, hook scripts (the binary embeds them too), completions and the man page under PREFIX.
install: release
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/awsenv/shell" \
	  "$(PREFIX)/share/bash-completion/completions" "$(PREFIX)/share/zsh/site-functions" \
	  "$(PREFIX)/share/fish/vendor_completions.d" "$(PREFIX)/share/man/man1"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/awsenv" "$(PREFIX)/bin/awsenv"
	install -m 0644 shell/awsenv.bash shell/awsenv.zsh shell/awsenv.fish "$(PREFIX)/share/awsenv/shell/"
	install -m 0644 completions/awsenv.bash "$(PREFIX)/share/bash-completion/completions/awsenv"
	install -m 0644 completions/_awsenv "$(PREFIX)/share/zsh/site-functions/_awsenv"
	install -m 0644 completions/awsenv.fish "$(PREFIX)/share/fish/vendor_completions.d/awsenv.fish"
	install -m 0644 docs/awsenv.1 "$(PREFIX)/share/man/man1/awsenv.1"
	@echo "installed $(PREFIX)/bin/awsenv; now add the hook to your shell (README: Install)"

uninstall:
	rm -f "$(PREFIX)/bin/awsenv" "$(PREFIX)/share/bash-completion/completions/awsenv" \
	  "$(PREFIX)/share/zsh/site-functions/_awsenv" "$(PREFIX)/share/fish/vendor_completions.d/awsenv.fish" \
	  "$(PREFIX)/share/man/man1/awsenv.1"
	rm -rf "$(PREFIX)/share/awsenv"

# Every test, inside a throwaway session: own HOME, private D-Bus, real gnome-keyring. The test
# bundle runs directly (not through `swift test`, which wants the real HOME for its package
# cache), once: every test is XCTest (DECISIONS.md, "One test framework").
test: deps
	$(SWIFT) build --build-tests
	# Builds swift-argument-parser's generate-manual beside the tests (CompletionTests runs it).
	$(SWIFT) package generate-manual --help >/dev/null
	shellcheck -s bash shell/awsenv.bash scripts/*.sh Tests/harness/*.sh
	Tests/harness/sandbox.sh -- "$(BIN_DIR)/awsenvPackageTests.xctest"
	# Each libFuzzer target briefly, from the committed corpus (make fuzz runs them longer).
	scripts/fuzz.sh --seconds 10

# A shell on a sandbox: private keyring, demo profiles, the hook loaded. Leaves nothing behind.
try: build
	scripts/try.sh "$(BIN_DIR)/awsenv"

# Regenerate the checked-in files made from others (tests fail when these are stale).
generate: build
	scripts/embed-hooks.sh
	$(SWIFT) build
	"$(BIN_DIR)/awsenv" --generate-completion-script bash >completions/awsenv.bash
	"$(BIN_DIR)/awsenv" --generate-completion-script zsh >completions/_awsenv
	"$(BIN_DIR)/awsenv" --generate-completion-script fish >completions/awsenv.fish
	$(SWIFT) package --allow-writing-to-directory docs generate-manual --output-directory docs

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	shellcheck -s bash shell/awsenv.bash scripts/*.sh Tests/harness/*.sh

clean:
	rm -rf .build

# Side by side with the keyring's floor, curl, awsume and the AWS CLI, in a sandbox; writes
# bench/RESULTS.md (see bench/README.md). BENCH_ARGS: e.g. --runs 50 --scales "50 500".
.PHONY: bench
bench:
	bench/run.sh $(BENCH_ARGS)

# libFuzzer targets of fuzz/, each for 60 s (fuzz/README.md). FUZZ_ARGS: e.g. --seconds 600 fuzz-config.
.PHONY: fuzz
fuzz:
	scripts/fuzz.sh $(FUZZ_ARGS)
