# make install [PREFIX=/usr/local] [DESTDIR=]: binaries, BPF object, example
# configuration, systemd unit, man pages and docs. Parts add their programs to
# INSTALL_BINS (bin/) and INSTALL_SBINS (sbin/).
PREFIX		?= /usr/local
SYSCONFDIR	?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
BINDIR		:= $(PREFIX)/bin
SBINDIR		:= $(PREFIX)/sbin
LIBDIR		:= $(PREFIX)/lib/rtprelay
DOCDIR		:= $(PREFIX)/share/doc/rtprelay
UNITDIR		?= $(PREFIX)/lib/systemd/system
MANDIR		:= $(PREFIX)/share/man
# man/NAME.SECTION -> MANDIR/manSECTION/
MAN_PAGES	:= $(wildcard man/*.[1-8])
MAN_SECTIONS	:= $(sort $(foreach p,$(MAN_PAGES),$(subst .,,$(suffix $(p)))))
INSTALL_BINS	?=
INSTALL_SBINS	?=

## install: binaries, BPF object, config example, systemd unit, man pages (PREFIX, DESTDIR)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/rtprelay
	$(if $(strip $(INSTALL_BINS)),install -m 755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/)
	$(if $(strip $(INSTALL_SBINS)),install -m 755 $(INSTALL_SBINS) $(DESTDIR)$(SBINDIR)/)
	install -m 644 $(BUILD)/rtprelay.bpf.o $(DESTDIR)$(LIBDIR)/
	install -m 644 README.md $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/
	$(if $(wildcard configs/example.yaml),install -m 644 configs/example.yaml $(DESTDIR)$(DOCDIR)/)
	$(if $(wildcard configs/example.yaml),test -e $(DESTDIR)$(SYSCONFDIR)/rtprelay/rtprelay.yaml || \
		install -m 640 configs/example.yaml $(DESTDIR)$(SYSCONFDIR)/rtprelay/rtprelay.yaml)
	sed 's|@SBINDIR@|$(SBINDIR)|;s|@SYSCONFDIR@|$(SYSCONFDIR)|;s|@DOCDIR@|$(DOCDIR)|' dist/rtprelayd.service \
		> $(DESTDIR)$(UNITDIR)/rtprelayd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/rtprelayd.service
	$(foreach n,$(MAN_SECTIONS),install -d $(DESTDIR)$(MANDIR)/man$(n) && \
		install -m 644 $(filter %.$(n),$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man$(n)/ &&) true

## uninstall: remove what install put (the configuration is kept)
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BINS))) \
		$(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBINS))) \
		$(DESTDIR)$(UNITDIR)/rtprelayd.service \
		$(foreach p,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))
	rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DOCDIR)
