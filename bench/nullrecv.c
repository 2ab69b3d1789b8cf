/* nullrecv: the benchmark's ceiling: recvmmsg into a buffer and discard, counting what arrived and what the kernel dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	256
#define BUFSZ	4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bind ADDR:PORT (127.0.0.1, or an IPv6 address) with the same receive buffer netoopsd asks for. */
static int open_socket(const char *addr, int port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	bool v6 = strchr(addr, ':') != NULL;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0), one = 1;

	if (v6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr) != 1 : inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "nullrecv: bad address %s\n", addr);
		exit(2);
	}
	if (fd < 0 || bind(fd, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a,
			   v6 ? sizeof(a6) : sizeof(a)) < 0) {
		perror("nullrecv: bind");
		exit(1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	return fd;
}

static uint32_t overflow_of(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return 0;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][BUFSZ], ctrl[BATCH][64];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	unsigned long long n = 0, bytes = 0;
	uint32_t ovfl = 0;
	double first = 0, last = 0;
	struct rusage ru;
	int fd, idle_ms;

	if (argc < 2) {
		fprintf(stderr, "usage: nullrecv PORT [IDLE_MS] [RCVBUF] [ADDR]\n");
		return 2;
	}
	idle_ms = argc > 2 ? atoi(argv[2]) : 2000;
	fd = open_socket(argc > 4 ? argv[4] : "127.0.0.1", atoi(argv[1]),
			 argc > 3 ? atoi(argv[3]) : 64 << 20);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int got;

		if (poll(&p, 1, n ? idle_ms : 60000) <= 0)
			break;		/* quiet for IDLE_MS after traffic: the run is over */
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], BUFSZ };
			m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
							.msg_control = ctrl[i],
							.msg_controllen = sizeof(ctrl[i]) };
		}
		got = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			continue;
		if (!n)
			first = now_s();
		last = now_s();
		for (int i = 0; i < got; i++) {
			bytes += m[i].msg_len;
			uint32_t o = overflow_of(&m[i].msg_hdr);
			if (o)
				ovfl = o;
		}
		n += (unsigned long long)got;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("received=%llu bytes=%llu overflow=%u seconds=%.3f rate=%.0f cpu=%.3f\n", n, bytes,
	       ovfl, last - first, last > first ? (double)n / (last - first) : 0.0,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	return 0;
}
