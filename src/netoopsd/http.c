/* The query API on libmicrohttpd: requests to the pure handler, answers streamed, budgeted. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "netoopsd/http_int.h"
#include "netoopsd/log.h"

#define CONN_MEMORY	32768		/* per connection; a head is at most 8 KiB */
#define BLOCK_SIZE	65536		/* a streamed answer is made this much at a time */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t read_answer(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct nxd_flight *f = cls;
	size_t n = nxd_answer_read(&f->a, buf, max);

	(void)pos;		/* nxd_answer_read() keeps its own, sequential position */
	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

/* The response is destroyed (sent, or its connection closed): its memory is given back. */
void http_end_flight(void *cls)
{
	struct nxd_flight *f = cls;

	pthread_mutex_lock(&f->h->lock);
	f->h->used -= f->charged;
	pthread_mutex_unlock(&f->h->lock);
	nxd_answer_free(&f->a);
	free(f);
}

/* What an answer may hold now: anything while none is in flight, else what is left. */
size_t http_budget_left(struct nxd_http *h)
{
	size_t left;

	pthread_mutex_lock(&h->lock);
	left = h->used == 0 ? SIZE_MAX : h->used < h->budget ? h->budget - h->used : 0;
	pthread_mutex_unlock(&h->lock);
	return left;
}

void http_charge(struct nxd_http *h, struct nxd_flight *f)
{
	f->h = h;
	f->charged = f->a.held + BLOCK_SIZE;	/* libmicrohttpd's buffer for it too */
	pthread_mutex_lock(&h->lock);
	h->used += f->charged;
	pthread_mutex_unlock(&h->lock);
}

struct arg_list {
	struct nxd_api_arg *a;		/* NXD_HTTP_MAX_ARGS of them */
	size_t n;
	bool too_many;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct arg_list *args = cls;

	(void)kind;
	if (args->n == NXD_HTTP_MAX_ARGS) {
		args->too_many = true;
		return MHD_NO;
	}
	args->a[args->n++] = (struct nxd_api_arg){ key, value };
	return MHD_YES;
}

static enum MHD_Result queue(struct MHD_Connection *c, struct nxd_flight *f)
{
	struct MHD_Response *r = MHD_create_response_from_callback(f->a.total, BLOCK_SIZE,
								   read_answer, f, http_end_flight);
	char retry[16];
	enum MHD_Result rc;

	if (!r) {
		http_end_flight(f);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->a.type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (f->a.status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"netoops\"");
	if (f->a.retry_after) {
		snprintf(retry, sizeof(retry), "%u", f->a.retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	rc = MHD_queue_response(c, f->a.status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The request as the pure handler takes it; ARGS receives the query arguments. */
static void make_req(struct nxd_http *h, struct MHD_Connection *c, const char *url,
		     const char *method, struct nxd_api_arg *args, struct nxd_api_req *req)
{
	struct arg_list al = { .a = args };
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &al);
	*req = (struct nxd_api_req){ .method = method, .url = url, .args = args,
				     .n_args = al.n, .too_many_args = al.too_many,
				     .now_ms = now_ms(), .grant = nxd_tokens_grant(h->tokens, auth) };
}

/* One dump's answer can be large to make: the worker makes it, this thread serves others. */
static enum MHD_Result to_worker(struct nxd_http *h, struct MHD_Connection *c,
				 const char *url, const char *method, void **state)
{
	struct nxd_job *j = calloc(1, sizeof(*j));

	if (!j)
		return MHD_NO;
	j->c = c;
	make_req(h, c, url, method, j->args, &j->req);
	*state = j;
	MHD_suspend_connection(c);
	http_worker_submit(h, j);
	return MHD_YES;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_len, void **state)
{
	struct nxd_http *h = cls;
	struct nxd_api_arg args[NXD_HTTP_MAX_ARGS];
	struct nxd_api_req req;
	struct nxd_job *j = *state;
	struct nxd_flight *f;

	(void)version, (void)upload, (void)upload_len;
	if (j) {			/* resumed: the worker made the answer */
		f = j->f;
		j->f = NULL;
		return f ? queue(c, f) : MHD_NO;
	}
	if (strncmp(url, "/v1/reports/", 12) == 0)
		return to_worker(h, c, url, method, state);
	if (!(f = calloc(1, sizeof(*f))))
		return MHD_NO;
	make_req(h, c, url, method, args, &req);
	req.budget = http_budget_left(h);
	nxd_api_handle(h->store, &req, &f->a);
	http_charge(h, f);
	return queue(c, f);
}

/* A request is over (answered, or its connection gone): its job, if any, goes. */
static void completed(void *cls, struct MHD_Connection *c, void **state,
		      enum MHD_RequestTerminationCode toe)
{
	struct nxd_job *j = *state;

	(void)cls, (void)c, (void)toe;
	if (!j)
		return;
	if (j->f)
		http_end_flight(j->f);
	free(j);
	*state = NULL;
}

static void notify(void *cls, struct MHD_Connection *c, void **socket_context,
		   enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	(void)socket_context;
	if (ci && ci->client_addr)
		http_peer_active(cls, ci->client_addr, code == MHD_CONNECTION_NOTIFY_STARTED);
}

void http_hand_over(struct nxd_http *h, int fd, const struct sockaddr *sa, socklen_t len)
{
	if (MHD_add_connection(h->mhd, fd, sa, len) != MHD_YES)
		log_warn("http: libmicrohttpd did not take a connection: %s", strerror(errno));
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http: %s", msg);
}

/* ---- the address ------------------------------------------------------ */

static bool is_wildcard(const struct nxd_addr *a)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;

	return a->ss.ss_family == AF_INET ? v4->sin_addr.s_addr == htonl(INADDR_ANY)
					  : IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr);
}

static bool is_loopback(const struct nxd_addr *a)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) ||
	       (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127);
}

/* Every interface only when written out; a warning beyond loopback. -1 if refused. */
static int check_addr(const struct nxd_http *h, const struct nxd_addr *a)
{
	if (is_wildcard(a) && strncmp(a->text, "0.0.0.0:", 8) != 0 &&
	    strncmp(a->text, "[::]:", 5) != 0) {
		log_err("http: '%s' would serve every interface: give an address (e.g. "
			"127.0.0.1:PORT), or write 0.0.0.0:PORT or [::]:PORT to mean every "
			"interface", a->text);
		return -1;
	}
	if (!is_loopback(a))
		log_warn("http: the query API on %s is reachable from other hosts, %s (see "
			 "docs/netoopsd.md)", a->text, h->tokens ? "without TLS: the tokens "
			 "travel in clear" : "without authentication (http-tokens) or TLS");
	return 0;
}

static int listen_on(const struct nxd_addr *a)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, 64) < 0) {
		log_err("http: cannot serve on %s: %s (address in use or not local?)", a->text,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- start and stop --------------------------------------------------- */

static struct MHD_Daemon *start_mhd(struct nxd_http *h)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (h->tls_cert ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};

	return MHD_start_daemon(flags, 0, NULL, NULL, serve, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_ARRAY, h->tls_cert ? tls : &tls[2],
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)NXD_HTTP_MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)NXD_HTTP_PER_ADDRESS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)NXD_HTTP_IDLE_S,
				MHD_OPTION_NOTIFY_CONNECTION, notify, h,
				MHD_OPTION_NOTIFY_COMPLETED, completed, h,
				MHD_OPTION_END);
}

struct nxd_http *http_start(const struct nxd_config *cfg)
{
	struct nxd_http *h = calloc(1, sizeof(*h));
	char err[4400];

	if (!h) {
		log_err("http: out of memory");
		return NULL;
	}
	h->listen_fd = h->wake_fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->jobs_lock, NULL);
	pthread_cond_init(&h->jobs_cond, NULL);
	h->budget = cfg->max_memory / 4;
	if ((cfg->auth.http_tokens[0] &&
	     !(h->tokens = nxd_tokens_load(cfg->auth.http_tokens, err, sizeof(err)))) ||
	    (cfg->auth.http_tls_cert[0] &&
	     (!(h->tls_cert = nxd_pem_load(cfg->auth.http_tls_cert, false, err, sizeof(err))) ||
	      !(h->tls_key = nxd_pem_load(cfg->auth.http_tls_key, true, err, sizeof(err)))))) {
		log_err("%s", err);
		http_stop(h);
		return NULL;
	}
	if (check_addr(h, &cfg->http) < 0 || (h->listen_fd = listen_on(&cfg->http)) < 0) {
		http_stop(h);
		return NULL;
	}
	err[0] = '\0';
	if (!(h->store = nx_store_open(cfg->db, NX_STORE_READONLY, err, sizeof(err))) ||
	    http_worker_start(h, cfg->db, err, sizeof(err)) < 0 ||
	    (h->wake_fd = eventfd(0, EFD_CLOEXEC)) < 0 || !(h->mhd = start_mhd(h)) ||
	    pthread_create(&h->gate, NULL, http_gate_main, h) != 0) {
		log_err("http: %s", err[0] ? err : "cannot start the API's threads");
		http_stop(h);
		return NULL;
	}
	h->gate_running = true;
	log_info("http: serving the query API on %s%s", cfg->http.text,
		 h->tls_cert ? " (TLS)" : "");
	return h;
}

void http_stop(struct nxd_http *h)
{
	uint64_t one = 1;

	if (!h)
		return;
	if (h->gate_running) {
		(void)!write(h->wake_fd, &one, sizeof(one));
		pthread_join(h->gate, NULL);
	}
	for (size_t i = 0; i < h->n_conns; i++)
		close(h->conns[i].fd);
	http_worker_stop(h);	/* resumes what it still had: before libmicrohttpd stops */
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	if (h->wake_fd >= 0)
		close(h->wake_fd);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	nx_store_close(h->store);
	nx_store_close(h->wstore);
	nxd_tokens_free(h->tokens);
	free(h->tls_cert);
	if (h->tls_key)
		OPENSSL_cleanse(h->tls_key, strlen(h->tls_key));
	free(h->tls_key);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->jobs_lock);
	pthread_cond_destroy(&h->jobs_cond);
	free(h);
}
