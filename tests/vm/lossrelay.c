/* tests/vm: a lossy wire for the fec case: QEMU's raw frames in, UDP payloads out, some dropped at random and in bursts. */
/*
 * usage: lossrelay -l ADDR:PORT -f ADDR:PORT -o STATS [-p LOSS] [-q ENTER -b BURST] [-s SEED]
 *                  [-t SECONDS]
 *
 * QEMU's `-netdev socket` sends every frame the guest transmits as one UDP datagram to -l
 * (this host's kernel has no netem). The UDP payload of each IPv4 UDP frame is forwarded to -f
 * (netoopsd) unless the channel drops it: a Gilbert-Elliott channel whose good state drops
 * with probability LOSS and whose bad state drops everything; the bad state is entered with
 * probability ENTER per frame and lasts BURST frames on average. On SIGTERM or after -t
 * seconds, writes one line to STATS:
 *   udp=N forwarded=N dropped_random=N dropped_burst=N bursts=N longest_burst=N other=N
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "relay.h"

struct loss_ctx {
	struct sockaddr_in to;
	double loss, enter, leave;
	uint64_t rng;
	int bad;
	unsigned long run;
	unsigned long udp, forwarded, dropped_random, dropped_burst, bursts, longest, other;
};

static double rnd01(struct loss_ctx *l)
{
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return (double)((l->rng * 0x2545F4914F6CDD1Dull) >> 11) / (double)(1ull << 53);
}

/* Does the channel drop this frame? Counts why. */
static int channel_drops(struct loss_ctx *l)
{
	if (l->bad && rnd01(l) < l->leave)
		l->bad = 0;
	else if (!l->bad && l->enter > 0 && rnd01(l) < l->enter) {
		l->bad = 1;
		l->bursts++;
		l->run = 0;
	}
	if (l->bad) {
		l->dropped_burst++;
		if (++l->run > l->longest)
			l->longest = l->run;
		return 1;
	}
	if (rnd01(l) < l->loss) {
		l->dropped_random++;
		return 1;
	}
	return 0;
}

static void relay(const unsigned char *f, size_t len, int out, void *ctx)
{
	struct loss_ctx *l = ctx;
	const unsigned char *payload;
	size_t plen;

	if (len < 14 || be16(f + 12) != 0x0800 || !(payload = udp_payload(f + 14, len - 14, &plen))) {
		l->other++;
		return;
	}
	l->udp++;
	if (channel_drops(l))
		return;
	if (sendto(out, payload, plen, 0, (const struct sockaddr *)&l->to, sizeof(l->to)) ==
	    (ssize_t)plen)
		l->forwarded++;
}

int main(int argc, char **argv)
{
	struct sockaddr_in in_addr;
	const char *listen_s = NULL, *to_s = NULL, *stats = NULL;
	unsigned int timeout = 900;
	double burst = 0;
	struct loss_ctx l = { .rng = 0x9E3779B97F4A7C15ull };
	int opt;
	FILE *sf;

	while ((opt = getopt(argc, argv, "l:f:o:p:q:b:s:t:")) != -1) {
		switch (opt) {
		case 'l': listen_s = optarg; break;
		case 'f': to_s = optarg; break;
		case 'o': stats = optarg; break;
		case 'p': l.loss = atof(optarg); break;
		case 'q': l.enter = atof(optarg); break;
		case 'b': burst = atof(optarg); break;
		case 's': l.rng ^= strtoull(optarg, NULL, 0); break;
		case 't': timeout = (unsigned int)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!listen_s || !to_s || !stats || parse_addr(listen_s, &in_addr) ||
	    parse_addr(to_s, &l.to) || l.loss < 0 || l.loss >= 1 || l.enter < 0 || l.enter >= 1 ||
	    (l.enter > 0 && burst < 1))
		goto usage;
	l.leave = burst >= 1 ? 1 / burst : 1;
	if (relay_loop("lossrelay", &in_addr, timeout, relay, &l))
		return 1;
	sf = fopen(stats, "w");
	if (!sf) {
		perror(stats);
		return 1;
	}
	fprintf(sf, "udp=%lu forwarded=%lu dropped_random=%lu dropped_burst=%lu bursts=%lu "
		"longest_burst=%lu other=%lu\n", l.udp, l.forwarded, l.dropped_random,
		l.dropped_burst, l.bursts, l.longest, l.other);
	return fclose(sf) ? 1 : 0;
usage:
	fprintf(stderr, "usage: lossrelay -l ADDR:PORT -f ADDR:PORT -o STATS [-p LOSS] "
		"[-q ENTER -b BURST] [-s SEED] [-t SECONDS]\n");
	return 2;
}
