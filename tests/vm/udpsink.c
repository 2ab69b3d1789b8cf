/* udpsink: store every UDP datagram received on one address as a numbered file (test aid). */
/*
 * usage: udpsink -l ADDR:PORT -o DIR [-q QUIET_S] [-t MAX_S]
 *   ADDR is IPv4 (127.0.0.1) or IPv6 in brackets ([::1]). Datagram n is written to
 *   DIR/NNNNNN (n from 1). Exits 0 after QUIET_S seconds without a datagram once at least
 *   one arrived (default 3), or after MAX_S seconds in all (default 600), or on SIGTERM.
 *   Prints "udpsink: N datagrams" on exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	long port;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -1;
	memcpy(host, spec, colon - spec);
	host[colon - spec] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return -1;
		host[n - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

static int save(const char *dir, unsigned long n, const char *buf, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%06lu", dir, n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *listen = NULL, *dir = NULL;
	double quiet = 3, max = 600, start, last = 0;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned long n = 0;
	static char buf[65536];
	int opt, fd, rcvbuf = 8 << 20;

	while ((opt = getopt(argc, argv, "l:o:q:t:")) != -1) {
		switch (opt) {
		case 'l': listen = optarg; break;
		case 'o': dir = optarg; break;
		case 'q': quiet = atof(optarg); break;
		case 't': max = atof(optarg); break;
		default: goto usage;
		}
	}
	if (!listen || !dir || parse_addr(listen, &ss, &sslen) < 0)
		goto usage;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
		fprintf(stderr, "udpsink: bind %s: %s\n", listen, strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	start = now();
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double t = now();

		if (t - start > max || (n > 0 && t - last > quiet))
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0)
			continue;
		if (save(dir, ++n, buf, (size_t)len) < 0) {
			fprintf(stderr, "udpsink: writing to %s: %s\n", dir, strerror(errno));
			return 1;
		}
		last = now();
	}
	printf("udpsink: %lu datagrams\n", n);
	return 0;
usage:
	fprintf(stderr, "usage: udpsink -l ADDR:PORT -o DIR [-q QUIET_S] [-t MAX_S]\n");
	return 2;
}
