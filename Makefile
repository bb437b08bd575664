# Build and install reachproof: `make install PREFIX=$HOME/.local` puts reachproof and kubectl-reachproof (the
# kubectl plugin) on PREFIX/bin, with shell completions and the man page. Needs Swift 6.3 and libz3-dev.
PREFIX ?= /usr/local
BINDIR = $(DESTDIR)$(PREFIX)/bin
SHARE = $(DESTDIR)$(PREFIX)/share
BIN = .build-static/release/reachproof
MANUAL = .build/plugins/GenerateManual/outputs/reachproof/reachproof.1

.PHONY: build install uninstall release

# Static Swift standard library: the installed binary does not depend on the toolchain staying where it is.
build:
	scripts/build-release.sh

install: build
	install -d $(BINDIR) $(SHARE)/man/man1 $(SHARE)/bash-completion/completions $(SHARE)/zsh/site-functions \
		$(SHARE)/fish/vendor_completions.d
	install -m 0755 $(BIN) $(BINDIR)/reachproof
	# kubectl runs `kubectl reachproof ...` as kubectl-reachproof found on PATH.
	ln -sf reachproof $(BINDIR)/kubectl-reachproof
	$(BIN) --generate-completion-script bash > $(SHARE)/bash-completion/completions/reachproof
	$(BIN) --generate-completion-script zsh > $(SHARE)/zsh/site-functions/_reachproof
	$(BIN) --generate-completion-script fish > $(SHARE)/fish/vendor_completions.d/reachproof.fish
	swift package --allow-writing-to-package-directory generate-manual --configuration release >/dev/null
	install -m 0644 $(MANUAL) $(SHARE)/man/man1/reachproof.1

uninstall:
	rm -f $(BINDIR)/reachproof $(BINDIR)/kubectl-reachproof $(SHARE)/man/man1/reachproof.1 \
		$(SHARE)/bash-completion/completions/reachproof $(SHARE)/zsh/site-functions/_reachproof \
		$(SHARE)/fish/vendor_completions.d/reachproof.fish

# A tarball with a binary that links the Swift runtime statically (scripts/release.sh).
release:
	scripts/release.sh
