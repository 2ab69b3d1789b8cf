/* authsend: send one dump as authenticated (or deliberately broken) datagrams, for the auth tests and bench. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/auth/auth.h"
#include "core/decode/encode.h"

/*
 * The dump is framed like the module frames it (core/decode/encode.h), with
 * room left for the MAC, then sealed under the host key (core/auth/auth.h)
 * and changed as --mutate says. --save keeps the datagrams as sent (4-byte
 * length, then the bytes) so a later --replay can send them again verbatim.
 */

enum mutate { M_NONE, M_UNSIGNED, M_FLIP_HEADER, M_FLIP_TEXT, M_TRUNCATE_MAC, M_RENAME };

static const char *const mutate_names[] = {
	[M_NONE] = "none", [M_UNSIGNED] = "unsigned", [M_FLIP_HEADER] = "flip-header",
	[M_FLIP_TEXT] = "flip-text", [M_TRUNCATE_MAC] = "truncate-mac", [M_RENAME] = "rename",
};

struct opts {
	const char *to, *text, *host, *key, *boot, *save, *replay, *rename_to;
	uint32_t dump, copies;
	bool encrypt;
	enum mutate mutate;
	unsigned repeat;
};

static int die(const char *msg)
{
	fprintf(stderr, "authsend: %s\n", msg);
	return 2;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else if (buf) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Change sealed datagram D (*N bytes, room for 64 more) as M says. */
static void apply_mutation(const struct opts *o, uint8_t *d, size_t *n)
{
	uint8_t *eol = memchr(d, '\n', *n);
	size_t hl = eol ? (size_t)(eol - d) : 0;

	switch (o->mutate) {
	case M_FLIP_HEADER:
		d[hl - NX_AUTH_MAC_FIELD - 2] ^= 1;	/* the last byte before " mac=" */
		break;
	case M_FLIP_TEXT:
		if (*n > hl + 1)
			d[*n - 1] ^= 1;
		break;
	case M_TRUNCATE_MAC:
		memmove(d + hl - 2, d + hl, *n - hl);
		*n -= 2;
		break;
	case M_RENAME: {
		size_t old = strlen(o->host), new = strlen(o->rename_to);

		memmove(d + 9 + new, d + 9 + old, *n - 9 - old);
		memcpy(d + 9, o->rename_to, new);
		*n = *n - old + new;
		break;
	}
	case M_NONE:
	case M_UNSIGNED:
		break;
	}
}

struct sender {
	const struct opts *o;
	uint8_t key[NX_AUTH_KEY_LEN];
	int fd;
	struct sockaddr_in to;
	FILE *save;
	unsigned long sent;
};

static int send_one(struct sender *s, const uint8_t *d, size_t n)
{
	uint32_t len = (uint32_t)n;

	if (sendto(s->fd, d, n, 0, (struct sockaddr *)&s->to, sizeof(s->to)) != (ssize_t)n)
		return -1;
	if (s->save && (fwrite(&len, sizeof(len), 1, s->save) != 1 || fwrite(d, 1, n, s->save) != n))
		return -1;
	if (++s->sent % 32 == 0)
		nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);	/* a sender's pace */
	return 0;
}

static int emit(void *ctx, const uint8_t *dgram, size_t len)
{
	struct sender *s = ctx;
	uint8_t out[NETOOPS_MAX_DATAGRAM + 64];
	long n = (long)len;

	if (s->o->mutate == M_UNSIGNED)
		memcpy(out, dgram, len);
	else if ((n = nx_auth_seal(s->key, s->o->encrypt, dgram, len, out, sizeof(out))) < 0)
		return -1;
	size_t m = (size_t)n;

	apply_mutation(s->o, out, &m);
	return send_one(s, out, m);
}

static int replay(struct sender *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[NETOOPS_MAX_DATAGRAM + 64];
	uint32_t len;
	int rc = 0;

	if (!f)
		return -1;
	while (rc == 0 && fread(&len, sizeof(len), 1, f) == 1)
		rc = len <= sizeof(buf) && fread(buf, 1, len, f) == len ? send_one(s, buf, len) : -1;
	fclose(f);
	return rc;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "to", 1, NULL, 't' }, { "text", 1, NULL, 'x' }, { "host", 1, NULL, 'H' },
		{ "key", 1, NULL, 'k' }, { "boot", 1, NULL, 'b' }, { "dump", 1, NULL, 'd' },
		{ "copies", 1, NULL, 'c' }, { "encrypt", 0, NULL, 'e' }, { "mutate", 1, NULL, 'm' },
		{ "as", 1, NULL, 'a' }, { "save", 1, NULL, 's' }, { "replay", 1, NULL, 'r' },
		{ "repeat", 1, NULL, 'R' }, { NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .boot = "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4", .dump = 1, .copies = 2,
			    .repeat = 1 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'x': o->text = optarg; break;
		case 'H': o->host = optarg; break;
		case 'k': o->key = optarg; break;
		case 'b': o->boot = optarg; break;
		case 'd': o->dump = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'c': o->copies = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'e': o->encrypt = true; break;
		case 'a': o->rename_to = optarg; break;
		case 's': o->save = optarg; break;
		case 'r': o->replay = optarg; break;
		case 'R': o->repeat = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm':
			for (o->mutate = M_NONE; o->mutate <= M_RENAME; o->mutate++)
				if (strcmp(optarg, mutate_names[o->mutate]) == 0)
					break;
			if (o->mutate > M_RENAME)
				return -1;
			break;
		default: return -1;
		}
	}
	return o->to && (o->replay || (o->text && o->host && (o->key || o->mutate == M_UNSIGNED))) &&
	       (o->mutate != M_RENAME || (o->rename_to && strlen(o->rename_to) <= 64)) ? 0 : -1;
}

static int open_socket(struct sender *s, const char *to)
{
	char host[64];
	const char *colon = strrchr(to, ':');

	if (!colon || (size_t)(colon - to) >= sizeof(host))
		return -1;
	memcpy(host, to, (size_t)(colon - to));
	host[colon - to] = '\0';
	s->to.sin_family = AF_INET;
	s->to.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &s->to.sin_addr) != 1)
		return -1;
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	return s->fd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sender s = { .o = &o, .fd = -1 };
	char err[4400];
	size_t len = 0;
	char *text = NULL;
	int rc = 0;

	if (parse(argc, argv, &o) < 0)
		return die("usage: authsend --to IP:PORT (--replay FILE | --text FILE --host H "
			   "--key HOST-KEY-FILE [--boot HEX] [--dump N] [--copies K] [--encrypt] "
			   "[--mutate none|unsigned|flip-header|flip-text|truncate-mac|rename --as H] "
			   "[--save FILE] [--repeat N])");
	if (open_socket(&s, o.to) < 0)
		return die("bad --to (IPv4 address:port)");
	if (o.key && nx_auth_key_read(o.key, s.key, err, sizeof(err)) < 0)
		return die(err);
	if (o.save && !(s.save = fopen(o.save, "wb")))
		return die("cannot create the --save file");
	if (o.replay) {
		rc = replay(&s, o.replay);
	} else if (!(text = slurp(o.text, &len))) {
		rc = -1;
	} else {
		for (unsigned i = 0; rc >= 0 && i < o.repeat; i++) {
			struct nx_enc_netoops id = {
				.host = o.host, .boot = o.boot, .dump = o.dump + i, .reason = "oops",
				.release = "6.1.0-27-amd64", .time_usec = 1764288000123456ull,
				.copies = o.copies,
				.max_datagram = NETOOPS_MAX_DATAGRAM - nx_auth_overhead(o.encrypt),
			};

			rc = nx_encode_netoops(&id, text, len, emit, &s);
		}
	}
	free(text);
	if (s.save && fclose(s.save) != 0)
		rc = -1;
	close(s.fd);
	if (rc < 0)
		return die(strerror(errno ? errno : EINVAL));
	printf("%lu datagrams sent\n", s.sent);
	return 0;
}
