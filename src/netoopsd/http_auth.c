/* Bearer tokens of the HTTP API: loading the token file and granting a request its scope. */
#include "netoopsd/http_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

struct token {
	enum nxd_grant grant;		/* NXD_GRANT_READ or NXD_GRANT_ALL (admin) */
	size_t len;
	char text[NXD_TOKEN_MAX];
};

struct nxd_tokens {
	struct token t[NXD_TOKENS_MAX];
	size_t n;
};

static const struct {
	const char *word;
	enum nxd_grant grant;
} scopes[] = {
	{ "read", NXD_GRANT_READ },
	{ "admin", NXD_GRANT_ALL },
};

static const char token_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789._~+/=-";

/* One "SCOPE TOKEN" line (comment and line end cut off) into T; NULL or what is wrong. */
static const char *parse_line(char *line, struct nxd_tokens *t)
{
	char *scope = strtok(line, " \t"), *tok = strtok(NULL, " \t");
	size_t n = tok ? strlen(tok) : 0;

	if (!scope)
		return NULL;			/* blank */
	if (!tok || strtok(NULL, " \t"))
		return "expected 'read TOKEN' or 'admin TOKEN'";
	if (n < NXD_TOKEN_MIN || n > NXD_TOKEN_MAX || strspn(tok, token_chars) != n)
		return "a token is 16 to 128 of A-Z a-z 0-9 . _ ~ + / = - (e.g. openssl rand -hex 32)";
	if (t->n == NXD_TOKENS_MAX)
		return "too many tokens (at most 64)";
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (strcmp(scope, scopes[i].word) == 0) {
			t->t[t->n].grant = scopes[i].grant;
			t->t[t->n].len = n;
			memcpy(t->t[t->n].text, tok, n);
			t->n++;
			return NULL;
		}
	}
	return "the scope is read or admin";
}

static int parse_file(FILE *f, const char *path, struct nxd_tokens *t, char *msg, size_t len)
{
	char line[512];
	unsigned no = 0;

	while (fgets(line, sizeof(line), f)) {
		const char *why;

		no++;
		line[strcspn(line, "#\r\n")] = '\0';
		if ((why = parse_line(line, t))) {
			snprintf(msg, len, "http-tokens %s:%u: %s", path, no, why);
			OPENSSL_cleanse(line, sizeof(line));
			return -1;
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (!t->n) {
		snprintf(msg, len, "http-tokens %s holds no token (lines 'read TOKEN' or "
			 "'admin TOKEN')", path);
		return -1;
	}
	return 0;
}

struct nxd_tokens *nxd_tokens_load(const char *path, char *msg, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct nxd_tokens *t = calloc(1, sizeof(*t));
	struct stat st;
	FILE *f = NULL;

	if (fd < 0 || !t) {
		snprintf(msg, len, "http-tokens %s: %s", path, t ? strerror(errno) : "out of memory");
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(msg, len, "http-tokens %s must be a regular file that only its owner may "
			 "read or write (mode %03o): run 'chmod 600 %s'", path,
			 (unsigned)(st.st_mode & 0777), path);
		goto fail;
	}
	if (!(f = fdopen(fd, "r"))) {
		snprintf(msg, len, "http-tokens %s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (parse_file(f, path, t, msg, len) < 0)
		goto fail;
	fclose(f);
	return t;
fail:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	nxd_tokens_free(t);
	return NULL;
}

void nxd_tokens_free(struct nxd_tokens *t)
{
	if (!t)
		return;
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

enum nxd_grant nxd_tokens_grant(const struct nxd_tokens *t, const char *auth)
{
	static const char bearer[] = "Bearer ";
	enum nxd_grant grant = NXD_GRANT_NONE;
	size_t n;

	if (!t)
		return NXD_GRANT_ALL;
	if (!auth || strncmp(auth, bearer, sizeof(bearer) - 1))
		return NXD_GRANT_NONE;
	auth += sizeof(bearer) - 1;
	n = strlen(auth);
	/* Every token is looked at, whatever matched, so the time says nothing about which. */
	for (size_t i = 0; i < t->n; i++) {
		char pad[NXD_TOKEN_MAX] = { 0 };

		memcpy(pad, auth, n < NXD_TOKEN_MAX ? n : NXD_TOKEN_MAX);
		if (n == t->t[i].len && !CRYPTO_memcmp(pad, t->t[i].text, NXD_TOKEN_MAX) &&
		    grant != NXD_GRANT_ALL)
			grant = t->t[i].grant;
	}
	return grant;
}

char *nxd_pem_load(const char *path, bool secret, char *msg, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		snprintf(msg, len, "TLS file %s: %s", path,
			 fd < 0 ? strerror(errno) : "not a regular file of at most 1 MiB");
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		snprintf(msg, len, "TLS key %s may be read or written by group or others (mode "
			 "%03o): run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1)) ||
	    (n = read(fd, buf, (size_t)st.st_size)) != st.st_size || !strstr(buf, "-----BEGIN ")) {
		snprintf(msg, len, "TLS file %s: cannot read it as PEM", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
out:
	if (fd >= 0)
		close(fd);
	return buf;
}
