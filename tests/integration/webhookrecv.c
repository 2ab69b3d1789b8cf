/* webhookrecv: a webhook receiver for the tests: records each POST's body, answers as told. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The next status from the comma list *LIST (the last one repeats); 0 means never answer. */
static int next_status(const char **list)
{
	int s = atoi(*list);
	const char *comma = strchr(*list, ',');

	if (comma)
		*list = comma + 1;
	return s;
}

/* Read one request from FD: head, then Content-Length bytes of body into BODY; its length. */
static long read_request(int fd, char *buf, size_t max, char **body)
{
	size_t n = 0;
	char *end = NULL, *cl;
	long len;

	while (!end && n < max - 1) {
		ssize_t k = read(fd, buf + n, max - 1 - n);

		if (k <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end)
		return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	len = cl ? atol(cl + 17) : 0;
	*body = end + 4;
	while ((long)(n - (size_t)(*body - buf)) < len && n < max - 1) {
		ssize_t k = read(fd, buf + n, max - 1 - n);

		if (k <= 0)
			return -1;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return len;
}

/* usage: webhookrecv PORTFILE OUTFILE STATUSES SECONDS: bind 127.0.0.1 on a free port, write
 * it to PORTFILE; each request's status and body to OUTFILE, one line each; answer STATUSES in
 * turn (e.g. 500,200: the first fails, every later one succeeds; 0: hold it unanswered). */
int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	const char *statuses;
	static char buf[1 << 20];
	int lfd, n_held = 0;
	FILE *pf, *out;

	if (argc != 5) {
		fprintf(stderr, "usage: webhookrecv PORTFILE OUTFILE STATUSES SECONDS\n");
		return 2;
	}
	statuses = argv[3];
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0 || !(out = fopen(argv[2], "a"))) {
		perror("webhookrecv");
		return 1;
	}
	alarm((unsigned)atoi(argv[4]));
	if (!(pf = fopen(argv[1], "w")) || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 ||
	    fclose(pf) != 0)
		return 1;
	for (;;) {
		int fd = accept(lfd, NULL, NULL), status;
		char *body = NULL, reply[128];
		long len;

		if (fd < 0)
			continue;
		if ((len = read_request(fd, buf, sizeof(buf), &body)) < 0) {
			close(fd);
			continue;
		}
		status = next_status(&statuses);
		fprintf(out, "%d %.*s\n", status, (int)len, body);
		fflush(out);
		if (status == 0 && n_held < 64) {
			n_held++;	/* FD stays open, never answered: the client must time out */
			continue;
		}
		snprintf(reply, sizeof(reply), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n", status ? status : 500);
		(void)!write(fd, reply, strlen(reply));
		close(fd);
	}
}
