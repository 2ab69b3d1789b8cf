/* nxload: replay crash dumps from many simulated hosts over UDP, with loss, duplication, reordering and hostile traffic. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/decode/encode.h"

/*
 * Each host's dump is encoded exactly as its sender would frame it
 * (core/encode.h), impaired (drop, duplicate, reorder), and sent. WINDOW
 * hosts send at once, BURST datagrams each in turn (sendmmsg), so dumps
 * interleave on the wire like a crash storm; every slot has its own socket
 * (a fresh source port per host, as netconsole streams are told apart by it).
 */

enum fmt { F_NETOOPS, F_LEGACY, F_NC_EXT, F_NC_BASIC };

struct opts {
	struct sockaddr_storage to;
	socklen_t to_len;
	enum fmt fmt;
	const char *texts[64];
	size_t n_texts;
	size_t pad;		/* pad each text to this size with older log lines */
	unsigned hosts, window, burst, copies;
	const char *host_prefix, *reason, *release;
	uint32_t dump;
	double loss, dup, reorder;
	double loss_burst;	/* mean burst length: Gilbert-Elliott loss at --loss on average */
	unsigned fec;		/* netoops parity per 100 parts (docs/protocol.md, "Parity") */
	unsigned hostile_parity;	/* corrupted copies of each dump's own parity, sent first */
	double rate;		/* datagrams per second, 0 = flat out */
	unsigned garbage;	/* hostile datagrams per host */
	unsigned fake_senders;	/* single-datagram dumps from distinct fake hosts */
	double flood_seconds;	/* flood mode: one-datagram fakes for this long, at --rate */
	unsigned flood_sources;	/* flood mode: distinct source addresses (127.2.x.y) */
	unsigned seed;
	uint64_t dump_time;	/* the dumps' time, seconds; 0: now */
	bool quiet;
};

struct text {
	char *buf;
	size_t len;
};

struct slot {
	int fd;
	struct nx_dgrams dg;
	size_t next;
};

struct totals {
	uint64_t sent, dropped, duplicated, hostile, send_errors;
	uint64_t bytes;		/* UDP payload of the sent datagrams */
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from --seed, good enough to pick drops. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static double rnd01(void)
{
	return (double)(rnd() >> 11) / (double)(1ull << 53);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "nxload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		die(path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Ordinary lines a busy server logs before it crashes. */
static const char *const filler[] = {
	"e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
	"EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
	"systemd[1]: Started session-%u.scope - Session %u of User deploy.",
	"audit: type=1400 audit(%u.512:%u): apparmor=\"STATUS\" operation=\"profile_load\"",
	"TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.",
	"nf_conntrack: nf_conntrack: table full, dropping packet",
	"usb 1-1: new high-speed USB device number %u using xhci_hcd",
	"perf: interrupt took too long (%u > 2500), lowering kernel.perf_event_max_sample_rate",
	"IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
	"md: data-check of RAID array md0 done, %u mismatches",
};

/* TEXT padded to PAD bytes with timestamped filler lines before it. */
static struct text pad_text(const char *oops, size_t len, size_t pad)
{
	size_t want = pad > len ? pad - len : 0, n = 0;
	struct text t = { .buf = malloc(want + len + 256) };
	unsigned line = 0;

	if (!t.buf)
		die("malloc");
	while (n + 200 < want) {
		char msg[160];
		unsigned v = (unsigned)(rnd() % 100000);

		snprintf(msg, sizeof(msg), filler[line % 10], v, v);
		n += (size_t)sprintf(t.buf + n, "[%5u.%06u] %s\n", line / 40, (line * 7919) % 1000000, msg);
		line++;
	}
	memcpy(t.buf + n, oops, len);
	t.len = n + len;
	t.buf[t.len] = '\0';
	return t;
}

/*
 * Is the next datagram lost? Independent loss at o->loss, or with
 * --loss-burst B a Gilbert-Elliott channel: a bad state that drops every
 * datagram, left with probability 1/B (bursts of B on average), entered so
 * that the long-run loss is o->loss.
 */
static bool lost(const struct opts *o, bool *bad)
{
	if (o->loss_burst < 1)
		return rnd01() < o->loss;

	double leave = 1.0 / o->loss_burst, enter = o->loss >= 1 ? 1 : leave * o->loss / (1 - o->loss);

	*bad = *bad ? rnd01() >= leave : rnd01() < enter;
	return *bad;
}

static void impair(struct nx_dgrams *l, const struct opts *o, struct totals *tot)
{
	size_t w = 0, n = l->n;
	bool bad = false;

	for (size_t i = 0; i < n; i++) {		/* loss */
		if (lost(o, &bad)) {
			free(l->v[i].data);
			tot->dropped++;
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
	for (size_t i = 0; i < w && o->dup > 0; i++)	/* duplication, sent later */
		if (rnd01() < o->dup && nx_dgrams_append(l, l->v[i].data, l->v[i].len) == 0)
			tot->duplicated++;
	for (size_t i = 0; i + 1 < l->n; i++) {		/* reordering within 32 */
		if (rnd01() < o->reorder) {
			size_t j = i + 1 + rnd() % 32;
			struct nx_dgram t = l->v[i];

			if (j >= l->n)
				j = l->n - 1;
			l->v[i] = l->v[j];
			l->v[j] = t;
		}
	}
}

static void encode_host(const struct opts *o, unsigned h, const struct text *t, struct nx_dgrams *l)
{
	char host[80], boot[33];
	int rc = -1;

	snprintf(host, sizeof(host), "%s%s%05u", o->host_prefix, o->hosts > 1 ? "-" : "",
		 o->hosts > 1 ? h : 0);
	if (o->hosts == 1)
		snprintf(host, sizeof(host), "%s", o->host_prefix);
	snprintf(boot, sizeof(boot), "%08x%08x%08x%08x", o->seed, h, 0xb007u, h * 2654435761u);
	if (o->fmt == F_NETOOPS) {
		struct nx_enc_netoops id = { .host = host, .boot = boot, .dump = o->dump,
			.reason = o->reason, .release = o->release, .copies = o->copies,
			.time_usec = (o->dump_time ? o->dump_time : (uint64_t)time(NULL)) * 1000000,
			.fec_pct = o->fec };
		rc = nx_encode_netoops(&id, t->buf, t->len, nx_dgrams_append, l);
	} else if (o->fmt == F_LEGACY) {
		struct nx_enc_legacy id = { .dump_id = (uint16_t)(o->dump + h), .boot_id = o->seed ^ h,
			.type = NETOOPS_V3_TYPE_DUMP, .release = o->release, .passes = o->copies };
		rc = nx_encode_legacy_v3(&id, t->buf, t->len, nx_dgrams_append, l);
	} else {
		struct nx_enc_netconsole id = { .first_seq = 1000, .ts_usec = 1000000,
			.release = o->fmt == F_NC_EXT ? o->release : NULL };
		rc = o->fmt == F_NC_EXT ? nx_encode_nc_extended(&id, t->buf, t->len, nx_dgrams_append, l)
					: nx_encode_nc_basic(&id, t->buf, t->len, nx_dgrams_append, l);
	}
	if (rc < 0) {
		fprintf(stderr, "nxload: encoding host %u failed\n", h);
		exit(1);
	}
}

/*
 * Towards 127.0.0.0/8, host H sends from its own address 127.1+H/65536.H/256.H%256,
 * as distinct machines would (netconsole and legacy dumps are told apart by it).
 */
static void bind_host_address(const struct opts *o, int fd, long h)
{
	const struct sockaddr_in *to = (const struct sockaddr_in *)&o->to;
	struct sockaddr_in from = { .sin_family = AF_INET };

	if (h < 0 || o->to.ss_family != AF_INET || (ntohl(to->sin_addr.s_addr) >> 24) != 127)
		return;
	from.sin_addr.s_addr = htonl(127u << 24 | (uint32_t)(h + 65536));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)
		die("bind to a loopback source address");
}

static int new_socket(const struct opts *o, long h)
{
	int fd = socket(o->to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int buf = 4 << 20;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	bind_host_address(o, fd, h);
	if (connect(fd, (const struct sockaddr *)&o->to, o->to_len) < 0)
		die("connect");
	return fd;
}

/* Hold the offered rate to o->rate datagrams per second since START. */
static void pace(const struct opts *o, double start, uint64_t sent)
{
	double due, now;

	if (o->rate <= 0)
		return;
	due = start + (double)sent / o->rate;
	now = now_s();
	if (due > now) {
		struct timespec ts = { .tv_sec = (time_t)(due - now),
				       .tv_nsec = (long)((due - now - (double)(time_t)(due - now)) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/* Send up to BURST datagrams of slot S; returns how many went out. */
static size_t send_burst(struct slot *s, unsigned burst, struct totals *tot)
{
	struct mmsghdr m[64];
	struct iovec iov[64];
	size_t n = 0;
	int got;

	while (n < burst && n < 64 && s->next + n < s->dg.n) {
		iov[n].iov_base = s->dg.v[s->next + n].data;
		iov[n].iov_len = s->dg.v[s->next + n].len;
		memset(&m[n], 0, sizeof(m[n]));
		m[n].msg_hdr.msg_iov = &iov[n];
		m[n].msg_hdr.msg_iovlen = 1;
		n++;
	}
	if (!n)
		return 0;
	got = sendmmsg(s->fd, m, (unsigned)n, 0);
	if (got < 0) {
		/* ECONNREFUSED: an ICMP from a previous send; the datagrams are not lost. */
		if (errno != ECONNREFUSED)
			tot->send_errors++;
		got = 0;
	}
	for (int i = 0; i < got; i++)
		tot->bytes += iov[i].iov_len;
	s->next += (size_t)got;
	tot->sent += (uint64_t)got;
	return (size_t)got;
}

/* One hostile datagram of a random kind into BUF; returns its length. */
static size_t hostile(uint8_t *buf, size_t cap)
{
	static const char boot[] = "deadbeefdeadbeefdeadbeefdeadbeef";
	unsigned kind = (unsigned)(rnd() % 10);
	size_t n = 0;

	switch (kind) {
	case 0:		/* random bytes, possibly empty */
		n = rnd() % 1500;
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		return n;
	case 1:		/* offset beyond total */
		return (size_t)snprintf((char *)buf, cap, "NETOOPS1 evil %s 1 oops x 1.000000 "
					"0/2 4294967295/10 1/1\nxx", boot);
	case 2:		/* counts over every limit */
		return (size_t)snprintf((char *)buf, cap, "NETOOPS1 evil %s 7 panic x 1.000000 "
					"0/0 0/99999999999 9/8\nyy", boot);
	case 3:		/* more text than the header claims */
		n = (size_t)snprintf((char *)buf, cap, "NETOOPS1 evil %s 2 oops x 1.000000 "
				     "0/1 0/4 1/1\n", boot);
		memset(buf + n, 'A', 900);
		return n + 900;
	case 4:		/* legacy v3 with absurd counts */
		memset(buf, 0, 1412);
		buf[0] = 3;
		buf[4] = 388 & 0xff;
		buf[5] = 388 >> 8;
		memset(buf + 12, 0xff, 8);
		return 1412;
	case 5:		/* netconsole fragment beyond its total */
		return (size_t)snprintf((char *)buf, cap, "6,99,5,-,ncfrag=999999/10;zz");
	case 8:		/* legacy v3 whose data offset points past the datagram */
		memset(buf, 0, 1412);
		buf[0] = 3;
		buf[4] = 0x60;
		buf[5] = 0xea;
		buf[12] = 4;
		return 1412;
	case 9:		/* a well-formed part of a dump that claims 32 MiB */
		return (size_t)snprintf((char *)buf, cap, "NETOOPS1 evil %s 3 oops x 1.000000 "
					"0/65535 33554000/33554432 1/8\nzz", boot);
	case 6:		/* header never terminated */
		memcpy(buf, "NETOOPS1 ", 9);
		memset(buf + 9, 'h', 400);
		return 409;
	default:	/* longer than any format allows */
		memset(buf, 'N', 3000 < cap ? 3000 : cap);
		return 3000 < cap ? 3000 : cap;
	}
}

/*
 * COUNT corrupted copies of the dump's own parity datagrams (a byte of the
 * shard flipped, or the block checksum forged), inserted before the real
 * ones: a receiver must never let them into a dump.
 */
static void add_hostile_parity(struct nx_dgrams *l, unsigned count, struct totals *tot)
{
	size_t first = 0, n = l->n;

	while (first < n && memcmp(l->v[first].data, "NETOOPSP ", 9))
		first++;
	for (unsigned c = 0; c < count && first < n; c++) {
		const struct nx_dgram *g = &l->v[first + rnd() % (n - first)];
		uint8_t *nl = memchr(g->data, '\n', g->len);

		if (!nl || nx_dgrams_append(l, g->data, g->len))
			continue;
		uint8_t *d = l->v[l->n - 1].data;
		size_t h = (size_t)(nl - g->data);

		if (c % 2 && h > 17)
			memcpy(d + h - 17, "00000000", 8);	/* the block CRC */
		else
			d[h + 1 + rnd() % (g->len - h - 1)] ^= (uint8_t)(1 + rnd() % 255);
		struct nx_dgram t = l->v[l->n - 1];	/* before the real parity */

		memmove(&l->v[first + 1], &l->v[first], (l->n - 1 - first) * sizeof(t));
		l->v[first] = t;
		tot->hostile++;
	}
}

static void send_hostile(int fd, unsigned count, struct totals *tot)
{
	static uint8_t buf[4096];

	for (unsigned i = 0; i < count; i++) {
		size_t n = hostile(buf, sizeof(buf));

		if (send(fd, buf, n, 0) >= 0)
			tot->hostile++;
	}
}

/* Part 0 of a big dump from each of COUNT distinct hosts: partial state the receiver must bound. */
static void send_fake_senders(const struct opts *o, int fd, double start, struct totals *tot)
{
	char buf[1400];
	static char text[1000];

	memset(text, 'f', sizeof(text) - 1);
	for (unsigned i = 0; i < o->fake_senders; i++) {
		int n = snprintf(buf, sizeof(buf), "NETOOPS1 fake-%u %032x 1 oops x 1.000000 "
				 "0/1000 999000/1000000 1/1\n%.999s", i, i, text);

		if (send(fd, buf, (size_t)n, 0) >= 0)
			tot->hostile++;
		if (i % 64 == 0)
			pace(o, start, tot->sent + tot->hostile);
	}
}

/*
 * Flood mode: for FLOOD_SECONDS, one-datagram fakes (part 0 of a 1000-part
 * dump, each from a fresh fake host name so each opens its own partial dump),
 * 64 per sendmmsg, round-robin over FLOOD_SOURCES source addresses
 * 127.2.x.y (towards loopback), paced to --rate (0: flat out).
 */
#define FLOOD_BATCH 64

static int flood_socket(const struct opts *o, unsigned src)
{
	const struct sockaddr_in *to = (const struct sockaddr_in *)&o->to;
	int fd = socket(o->to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int buf = 4 << 20;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (o->flood_sources > 1 && o->to.ss_family == AF_INET &&
	    (ntohl(to->sin_addr.s_addr) >> 24) == 127) {
		struct sockaddr_in from = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(127u << 24 | 2u << 16 | (src + 1)) };

		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)
			die("bind to a flood source address");
	}
	if (connect(fd, (const struct sockaddr *)&o->to, o->to_len) < 0)
		die("connect");
	return fd;
}

static void flood(const struct opts *o, struct totals *tot)
{
	static char bufs[FLOOD_BATCH][1200], text[1000];
	struct mmsghdr m[FLOOD_BATCH];
	struct iovec iov[FLOOD_BATCH];
	unsigned nsrc = o->flood_sources ? o->flood_sources : 1;
	int *fds = calloc(nsrc, sizeof(*fds));
	double start = now_s();
	uint64_t i = 0;

	if (!fds)
		die("calloc");
	for (unsigned s = 0; s < nsrc; s++)
		fds[s] = flood_socket(o, s);
	memset(text, 'f', sizeof(text) - 1);
	for (unsigned turn = 0; now_s() - start < o->flood_seconds; turn++) {
		for (int k = 0; k < FLOOD_BATCH; k++, i++) {
			int n = snprintf(bufs[k], sizeof(bufs[k]), "NETOOPS1 flood-%u-%llu "
					 "%032llx 1 oops x 1.000000 0/1000 999000/1000000 1/1\n%.900s",
					 o->seed, (unsigned long long)i, (unsigned long long)i, text);

			iov[k].iov_base = bufs[k];
			iov[k].iov_len = (size_t)n;
			memset(&m[k], 0, sizeof(m[k]));
			m[k].msg_hdr.msg_iov = &iov[k];
			m[k].msg_hdr.msg_iovlen = 1;
		}
		int got = sendmmsg(fds[turn % nsrc], m, FLOOD_BATCH, 0);

		if (got > 0)
			tot->hostile += (uint64_t)got;
		else if (errno != ECONNREFUSED)
			tot->send_errors++;
		pace(o, start, tot->hostile);
	}
	for (unsigned s = 0; s < nsrc; s++)
		close(fds[s]);
	free(fds);
}

static void fill_slot(const struct opts *o, struct slot *s, unsigned h,
		      const struct text *texts, struct totals *tot)
{
	if (s->fd >= 0)
		close(s->fd);
	nx_dgrams_free(&s->dg);
	s->fd = new_socket(o, h);
	s->next = 0;
	encode_host(o, h, &texts[h % o->n_texts], &s->dg);
	add_hostile_parity(&s->dg, o->hostile_parity, tot);
	impair(&s->dg, o, tot);
}

static void run(const struct opts *o, const struct text *texts, struct totals *tot)
{
	struct slot *slots = calloc(o->window, sizeof(*slots));
	int evil = new_socket(o, -1);
	unsigned next_host = 0, active = 0;
	double start = now_s();

	if (!slots)
		die("calloc");
	send_fake_senders(o, evil, start, tot);
	for (unsigned i = 0; i < o->window; i++)
		slots[i].fd = -1;
	do {
		active = 0;
		for (unsigned i = 0; i < o->window; i++) {
			struct slot *s = &slots[i];

			if (s->next >= s->dg.n && next_host < o->hosts) {
				fill_slot(o, s, next_host++, texts, tot);
				send_hostile(evil, o->garbage, tot);
			}
			if (s->next < s->dg.n) {
				active++;
				send_burst(s, o->burst, tot);
				pace(o, start, tot->sent + tot->hostile);
			}
		}
	} while (active || next_host < o->hosts);
	for (unsigned i = 0; i < o->window; i++) {
		if (slots[i].fd >= 0)
			close(slots[i].fd);
		nx_dgrams_free(&slots[i].dg);
	}
	close(evil);
	free(slots);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nxload --to ADDR:PORT --text FILE... [options]\n"
		"  --format netoops|legacy|nc-ext|nc-basic   (default netoops)\n"
		"  --text FILE       a log/oops text to send (repeatable; hosts take turns)\n"
		"  --pad BYTES       pad each text to BYTES with older log lines (e.g. 131072)\n"
		"  --hosts N         simulated hosts, one dump each (default 1)\n"
		"  --host NAME       host name, or prefix NAME-00000... when --hosts > 1\n"
		"  --window N        hosts sending at the same time (default 64)\n"
		"  --burst N         datagrams per host per turn, one sendmmsg (default 8)\n"
		"  --copies K        redundancy passes (default 2; legacy 3)\n"
		"  --reason R --release R --dump N   dump identity fields\n"
		"  --loss P --dup P --reorder P      impairments, probabilities 0..1\n"
		"  --loss-burst B    loss in bursts of B datagrams on average (Gilbert-Elliott), --loss overall\n"
		"  --fec PCT         netoops parity datagrams per 100 parts after the passes (0..100)\n"
		"  --hostile-parity N  N corrupted copies of each dump's parity, sent before the real ones\n"
		"  --rate R          datagrams per second (default: as fast as possible)\n"
		"  --garbage N       hostile datagrams sent along with each host's dump\n"
		"  --fake-senders N  first send part 0 of a huge dump from N fake hosts\n"
		"  --flood-seconds S flood mode (no --text): one-datagram fakes for S seconds at --rate\n"
		"  --flood-sources N flood mode: from N source addresses 127.2.x.y (default 1)\n"
		"  --seed S          reproducible impairments (default 1)\n"
		"  --dump-time SEC   netoops dump time (default now): runs that resend one dump\n");
	exit(2);
}

static void parse_to(struct opts *o, const char *arg)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)&o->to;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&o->to;

	if (!colon || (size_t)(colon - arg) >= sizeof(host))
		usage();
	snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)atoi(colon + 1));
		o->to_len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)atoi(colon + 1));
		o->to_len = sizeof(*v6);
	} else {
		usage();
	}
}

static enum fmt parse_format(const char *s)
{
	static const char *const names[] = { "netoops", "legacy", "nc-ext", "nc-basic" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum fmt)i;
	usage();
	return F_NETOOPS;
}

static void parse(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' }, { "format", 1, 0, 'f' }, { "text", 1, 0, 'x' },
		{ "pad", 1, 0, 'p' }, { "hosts", 1, 0, 'n' }, { "host", 1, 0, 'H' },
		{ "window", 1, 0, 'w' }, { "burst", 1, 0, 'b' }, { "copies", 1, 0, 'k' },
		{ "reason", 1, 0, 'r' }, { "release", 1, 0, 'R' }, { "dump", 1, 0, 'd' },
		{ "loss", 1, 0, 'L' }, { "dup", 1, 0, 'D' }, { "reorder", 1, 0, 'O' },
		{ "rate", 1, 0, 'a' }, { "garbage", 1, 0, 'g' }, { "fake-senders", 1, 0, 'F' },
		{ "seed", 1, 0, 's' }, { "quiet", 0, 0, 'q' }, { "flood-seconds", 1, 0, 'S' },
		{ "flood-sources", 1, 0, 'Z' }, { "loss-burst", 1, 0, 'G' }, { "fec", 1, 0, 'E' },
		{ "hostile-parity", 1, 0, 'P' }, { "dump-time", 1, 0, 'T' }, { 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': parse_to(o, optarg); break;
		case 'f': o->fmt = parse_format(optarg); break;
		case 'x':
			if (o->n_texts == 64)
				usage();
			o->texts[o->n_texts++] = optarg;
			break;
		case 'p': o->pad = strtoul(optarg, NULL, 0); break;
		case 'n': o->hosts = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'H': o->host_prefix = optarg; break;
		case 'w': o->window = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': o->burst = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'k': o->copies = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': o->reason = optarg; break;
		case 'R': o->release = optarg; break;
		case 'd': o->dump = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'L': o->loss = atof(optarg); break;
		case 'D': o->dup = atof(optarg); break;
		case 'O': o->reorder = atof(optarg); break;
		case 'a': o->rate = atof(optarg); break;
		case 'g': o->garbage = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'F': o->fake_senders = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': o->seed = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'q': o->quiet = true; break;
		case 'S': o->flood_seconds = atof(optarg); break;
		case 'Z': o->flood_sources = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'G': o->loss_burst = atof(optarg); break;
		case 'E': o->fec = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'P': o->hostile_parity = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'T': o->dump_time = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (o->flood_seconds > 0 && o->to_len && optind == argc)
		return;
	if (!o->to_len || !o->n_texts || !o->hosts || !o->window || !o->burst || optind < argc)
		usage();
	if (o->fec > NETOOPS_FEC_MAX_PCT) {
		fprintf(stderr, "nxload: --fec takes 0 .. %d parity datagrams per 100 parts\n",
			NETOOPS_FEC_MAX_PCT);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .hosts = 1, .window = 64, .burst = 8, .host_prefix = "nxload",
			  .reason = "oops", .release = "6.1.0-27-amd64", .dump = 1, .seed = 1 };
	struct text texts[64];
	struct totals tot = { 0 };
	double start, secs;

	parse(&o, argc, argv);
	rng_state = 0x9E3779B97F4A7C15ull ^ o.seed;
	if (o.window > o.hosts)
		o.window = o.hosts;
	for (size_t i = 0; i < o.n_texts; i++) {
		size_t len;
		char *raw = read_file(o.texts[i], &len);

		texts[i] = pad_text(raw, len, o.pad);
		free(raw);
	}
	start = now_s();
	if (o.flood_seconds > 0)
		flood(&o, &tot);
	else
		run(&o, texts, &tot);
	secs = now_s() - start;
	printf("sent=%llu hostile=%llu dropped=%llu duplicated=%llu send_errors=%llu hosts=%u "
	       "seconds=%.3f rate=%.0f bytes=%llu\n", (unsigned long long)tot.sent,
	       (unsigned long long)tot.hostile, (unsigned long long)tot.dropped,
	       (unsigned long long)tot.duplicated, (unsigned long long)tot.send_errors, o.hosts,
	       secs, secs > 0 ? (double)(tot.sent + tot.hostile) / secs : 0.0,
	       (unsigned long long)tot.bytes);
	for (size_t i = 0; i < o.n_texts; i++)
		free(texts[i].buf);
	return 0;
}
