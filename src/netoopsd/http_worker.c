/* The HTTP API's worker: one-dump answers (tens of MiB to read), off libmicrohttpd's thread. */
#include <stdlib.h>

#include <microhttpd.h>

#include "netoopsd/http_int.h"

/*
 * libmicrohttpd's thread suspends a connection that asks for one dump and
 * queues a job here; the worker makes the answer with its own store
 * connection, one job at a time (so one dump is being read at a time), and
 * resumes the connection, whose handler then queues the answer. Meanwhile
 * libmicrohttpd's thread goes on answering everything else.
 */

/* The next job, waiting for one; NULL once stopped with none left. *STOPPING: stop was asked. */
static struct nxd_job *next_job(struct nxd_http *h, bool *stopping)
{
	struct nxd_job *j;

	pthread_mutex_lock(&h->jobs_lock);
	while (!h->jobs && !h->worker_stop)
		pthread_cond_wait(&h->jobs_cond, &h->jobs_lock);
	if ((j = h->jobs) != NULL)
		h->jobs = j->next;
	*stopping = h->worker_stop;
	pthread_mutex_unlock(&h->jobs_lock);
	return j;
}

static void answer(struct nxd_http *h, struct nxd_job *j, bool stopping)
{
	struct nxd_flight *f = calloc(1, sizeof(*f));

	if (f) {
		j->req.budget = http_budget_left(h);
		if (stopping)
			nxd_answer_error(&f->a, 503, "netoopsd is stopping");
		else
			nxd_api_handle(h->wstore, &j->req, &f->a);
		http_charge(h, f);
	}
	j->f = f;
	MHD_resume_connection(j->c);
}

static void *worker_main(void *arg)
{
	struct nxd_http *h = arg;
	struct nxd_job *j;
	bool stopping;

	while ((j = next_job(h, &stopping)) != NULL)
		answer(h, j, stopping);
	return NULL;
}

int http_worker_start(struct nxd_http *h, const char *db, char *err, size_t errlen)
{
	if (!(h->wstore = nx_store_open(db, NX_STORE_READONLY, err, errlen)))
		return -1;
	if (pthread_create(&h->worker, NULL, worker_main, h) != 0)
		return -1;
	h->worker_running = true;
	return 0;
}

void http_worker_submit(struct nxd_http *h, struct nxd_job *j)
{
	struct nxd_job **tail;

	pthread_mutex_lock(&h->jobs_lock);
	for (tail = &h->jobs; *tail; tail = &(*tail)->next)
		;
	j->next = NULL;
	*tail = j;
	pthread_cond_signal(&h->jobs_cond);
	pthread_mutex_unlock(&h->jobs_lock);
}

void http_worker_stop(struct nxd_http *h)
{
	if (!h->worker_running)
		return;
	pthread_mutex_lock(&h->jobs_lock);
	h->worker_stop = true;
	pthread_cond_signal(&h->jobs_cond);
	pthread_mutex_unlock(&h->jobs_lock);
	pthread_join(h->worker, NULL);
	h->worker_running = false;
}
