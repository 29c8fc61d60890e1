# mping: make, make check, make install (PREFIX, DESTDIR), make sanitize
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
CC	?= cc
CFLAGS	?= -O2 -g
WARN	= -std=c99 -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE
LDLIBS	+= -lm

SRCS	= src/main.c src/loop_epoll.c src/sock.c src/icmp_common.c \
	  src/icmp4.c src/icmp6.c src/tag.c src/targets.c src/input.c \
	  src/resolve.c src/engine.c src/method_common.c src/method_icmp.c \
	  src/method_udp.c src/report.c src/ping.c src/sched.c src/stats.c \
	  src/priv.c src/out.c src/fields.c src/out_text.c src/out_csv.c \
	  src/out_json.c src/trace.c src/rdns.c src/out_live.c src/progress.c \
	  src/cli.c src/l4.c src/srcaddr.c src/method_raw.c src/method_tcp.c
SRCS	+= src/method_tcpconn.c
SRCS	+= src/monitor.c src/prom.c
SRCS	+= src/watch.c
SRCS	+= src/cli_fping.c src/out_fping.c src/out_fping_json.c
SRCS	+= src/method_tstamp.c
SRCS	+= src/bpf.c
SRCS	+= src/reload.c src/feed.c
SRCS	+= src/mda.c src/out_dot.c
SRCS	+= src/budget.c
SRCS	+= src/stopset.c
SRCS	+= src/hopsum.c
SRCS	+= src/scale.c
OBJS	= $(SRCS:.c=.o)
CODEC	= src/icmp_common.c src/icmp4.c src/icmp6.c src/tag.c src/l4.c

all: mping

mping: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

src/%.o: src/%.c src/*.h
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

tests/responder: tests/responder.c
	$(CC) -std=c99 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) -o $@ $<

check: mping tests/responder
	tests/run

# The whole suite against an ASan+UBSan build.
sanitize:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" mping

fuzz/fuzz_icmp: fuzz/fuzz_icmp.c $(CODEC) src/*.h
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Isrc -o $@ fuzz/fuzz_icmp.c $(CODEC)

fuzz: fuzz/fuzz_icmp
	mkdir -p fuzz/corpus.run
	fuzz/fuzz_icmp -max_total_time=$${FUZZ_SECONDS:-60} fuzz/corpus.run fuzz/corpus

# Sets up its own namespace lab, compares mping with a minimal sender,
# fping, scamper, traceroute and ping, writes bench/RESULTS.md.  Not part
# of make check (about 15 minutes; BENCH_ONLY=name,... for a subset).
bench: mping
	bench/run

install: mping
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 mping $(DESTDIR)$(BINDIR)/mping
	install -m 644 man/mping.1 $(DESTDIR)$(MANDIR)/man1/mping.1
	install -m 644 completions/mping.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mping
	install -m 644 completions/_mping \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mping
	install -m 644 completions/mping.fish \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mping.fish

# fping and fping6 as links to mping (mping(1), CALLED AS FPING); an fping
# that is not such a link is left alone.
install-fping: install
	@for n in fping fping6; do \
	    f=$(DESTDIR)$(BINDIR)/$$n; \
	    if [ -e "$$f" ] && [ "$$(readlink "$$f")" != mping ]; then \
	        echo "$$f exists and is not mping: left alone" >&2; exit 1; \
	    fi; \
	    ln -sf mping "$$f"; \
	done

clean:
	rm -f mping $(OBJS) tests/responder fuzz/fuzz_icmp bench/floor

.PHONY: all check sanitize fuzz bench install install-fping clean
