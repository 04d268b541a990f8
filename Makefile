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

# Binary (stripped), hook scripts, completions and the man page under $(DESTDIR)$(PREFIX). The
# hooks under share/awsenv/shell/ are written by the binary's own `init`, with the installed path
# filled in, so `source PREFIX/share/awsenv/shell/awsenv.bash` works as `eval "$(awsenv init
# bash)"` does.
RELEASE_DIR = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/awsenv/shell" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d" "$(DESTDIR)$(PREFIX)/share/man/man1"
	install -s -m 0755 "$(RELEASE_DIR)/awsenv" "$(DESTDIR)$(PREFIX)/bin/awsenv"
	for shell in bash zsh fish; do \
	  "$(RELEASE_DIR)/awsenv" init "$$shell" --binary "$(PREFIX)/bin/awsenv" \
	    >"$(DESTDIR)$(PREFIX)/share/awsenv/shell/awsenv.$$shell.tmp" && \
	  chmod 0644 "$(DESTDIR)$(PREFIX)/share/awsenv/shell/awsenv.$$shell.tmp" && \
	  mv "$(DESTDIR)$(PREFIX)/share/awsenv/shell/awsenv.$$shell.tmp" \
	    "$(DESTDIR)$(PREFIX)/share/awsenv/shell/awsenv.$$shell" || exit 1; \
	done
	install -m 0644 completions/awsenv.bash "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/awsenv"
	install -m 0644 completions/_awsenv "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_awsenv"
	install -m 0644 completions/awsenv.fish "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/awsenv.fish"
	install -m 0644 docs/awsenv.1 "$(DESTDIR)$(PREFIX)/share/man/man1/awsenv.1"
	@echo "installed $(PREFIX)/bin/awsenv; now add the hook to your shell (README: Install)"

# What `make install` put under PREFIX works as installed (run by CI).
.PHONY: check-install
check-install:
	scripts/check-install.sh

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/awsenv" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/awsenv" \
	  "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_awsenv" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/awsenv.fish" \
	  "$(DESTDIR)$(PREFIX)/share/man/man1/awsenv.1"
	rm -rf "$(DESTDIR)$(PREFIX)/share/awsenv"

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
	# The man page: swift-argument-parser's generate-manual tool on the debug binary (the same
	# help as the release one, without a release build).
	$(SWIFT) package generate-manual --help >/dev/null
	"$(BIN_DIR)/generate-manual-tool" "$(BIN_DIR)/awsenv" --output-directory docs --date "$$(date -u +%Y-%m-%d)"

lint: deps
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
